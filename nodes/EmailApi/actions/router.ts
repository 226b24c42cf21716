// Email API's resource and operation → handler, run item by item. Uses the resources, transport, pacing,
// shared/perItem.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { byOperationValue, runPerItem, type ItemOperation } from '../../shared/perItem';
import { logPacing } from '../pacing';
import { emailApiSecrets } from '../transport';
import * as contact from './contact';
import * as course from './course';
import * as user from './user';
import * as workflow from './workflow';

const operations: Record<string, Record<string, ItemOperation>> = {
	user: byOperationValue(user.operations),
	workflow: byOperationValue(workflow.operations),
	contact: byOperationValue(contact.operations),
	course: byOperationValue(course.operations),
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
