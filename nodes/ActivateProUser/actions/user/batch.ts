// ActivatePro → User → Bulk: POST /users/batch, 1000 users a request, mapped to items; the stages in bulk/. Uses
// fields, input, bulk/, shared/log.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { nodeLog } from '../../../shared/log';
import { chunkSender } from './bulk/send';
import { SEND_CONCURRENCY } from './bulk/limits';
import { finish, type Outcomes } from './bulk/outcomes';
import { planChunks } from './bulk/plan';
import { waitForChunks } from './bulk/wait';
import {
	attributeFields,
	batchActionField,
	businessUnitField,
	itemEmailField,
	itemUserIdField,
	waitOptions,
} from './fields';
import { itemUserReader, readWaitOptions } from './input';

export const properties: INodeProperties[] = [
	batchActionField('batch'),
	itemUserIdField('batch'),
	itemEmailField('batch'),
	businessUnitField('batch'),
	...attributeFields('batch'),
	waitOptions('batch'),
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Create, Update or Delete in Bulk',
	value: 'batch',
	action: 'Create update or delete users in bulk',
	description: 'Send every input item as one entry, 1000 per request',
};

/** Not item by item: the router hands it every input item, and it answers for each itself (its own error items). */
export const runsOn = 'allItems';

/**
 * POST /users/batch — every input item is one entry; entries go out 1000 per request (updated and deleted
 * together), answers and validation errors are mapped back to the item they name. Reading and sending overlap:
 * a request leaves as soon as its 1000 entries are read, while the next ones are being read.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const outcomes: Outcomes = new Array(items.length);
	const wait = readWaitOptions(this, 0);
	const sender = chunkSender(this, items.length, outcomes, Date.now());
	const entryCount = await planChunks(this, items, outcomes, sender);
	const sent = await sender.finished();
	nodeLog(this).debug(
		`bulk: ${items.length} items, ${entryCount} entries in ${sent.requests} requests (${items.length - entryCount} refused before sending), ` +
			`up to ${SEND_CONCURRENCY} at a time; ${sent.ordered} waited for an earlier request with the same user`,
	);

	if (wait.waitForCompletion) await waitForChunks(this, sent.accepted, wait.timeoutMs, outcomes);
	return finish(this, items, outcomes, itemUserReader(this, items));
}
