// Email API's resource and operation → handler, run item by item. Uses every operation, transport, shared/perItem.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { runPerItem, type ItemOperation } from '../../shared/perItem';
import { emailApiSecrets, logPacing } from '../transport';
import * as addToWorkflow from './contact/addToWorkflow';
import * as deleteContact from './contact/delete';
import * as getContact from './contact/get';
import * as removeFromWorkflow from './contact/removeFromWorkflow';
import * as upsertContact from './contact/upsert';
import * as importCourses from './course/import';
import * as createUser from './user/create';
import * as deleteUser from './user/delete';
import * as getUser from './user/get';
import * as getManyUsers from './user/getMany';
import * as updateUser from './user/update';
import * as getManyWorkflows from './workflow/getMany';

const operations: Record<string, Record<string, ItemOperation>> = {
	user: {
		create: createUser.execute,
		get: getUser.execute,
		getMany: getManyUsers.execute,
		update: updateUser.execute,
		delete: deleteUser.execute,
	},
	workflow: { getMany: getManyWorkflows.execute },
	contact: {
		get: getContact.execute,
		upsert: upsertContact.execute,
		addToWorkflow: addToWorkflow.execute,
		removeFromWorkflow: removeFromWorkflow.execute,
		delete: deleteContact.execute,
	},
	course: { import: importCourses.execute },
};

/** Runs the chosen operation once per input item; every item ends as output items or one error item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[resource]?.[operation];
	if (!run)
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);
	// How long pacing held the run back is logged once, when every item is through.
	return [await runPerItem(this, run, { secrets: emailApiSecrets, afterItems: logPacing })];
}
