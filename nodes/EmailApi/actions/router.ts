import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError, errorItem } from '../../shared/errors';
import { nodeLog } from '../../shared/log';
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

type Operation = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

const operations: Record<string, Record<string, Operation>> = {
	user: { create: createUser.execute, get: getUser.execute, getMany: getManyUsers.execute, update: updateUser.execute, delete: deleteUser.execute },
	workflow: { getMany: getManyWorkflows.execute },
	contact: { get: getContact.execute, upsert: upsertContact.execute, addToWorkflow: addToWorkflow.execute, removeFromWorkflow: removeFromWorkflow.execute, delete: deleteContact.execute },
	course: { import: importCourses.execute },
};

/** Runs the chosen operation once per input item; every item ends as output items or one error item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[resource]?.[operation];
	if (!run) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);

	const out: INodeExecutionData[] = [];
	let failed = 0;
	let firstFailure = '';
	for (let i = 0; i < items.length; i++) {
		try {
			const result = await run.call(this, i);
			for (const json of Array.isArray(result) ? result : [result]) out.push({ json, pairedItem: { item: i } });
		} catch (error) {
			const nodeError = asNodeError(this.getNode(), error, i, await emailApiSecrets(this));
			if (!this.continueOnFail()) throw nodeError;
			failed++;
			if (failed === 1) firstFailure = `item ${i + 1}: ${nodeError.message}`;
			out.push(errorItem(nodeError, i));
		}
	}
	logPacing(this);
	if (failed) nodeLog(this).warn(`${failed} of ${items.length} items failed (sent on as error items); first: ${firstFailure}`, { failed, items: items.length });
	return [out];
}
