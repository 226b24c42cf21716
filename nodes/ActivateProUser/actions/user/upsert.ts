// ActivatePro → User → Create or Update: PUT /users, then its tracking if asked. Uses transport, tracking, input, fields, shared/.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { apiError, itemLabel } from '../../../shared/errors';
import { quoted } from '../../../shared/text';
import { activateProError, activateProRequest } from '../../transport';
import { waitForTrackings } from '../../tracking';
import { attributeFields, businessUnitField, emailField, userIdField, waitOptions } from './fields';
import { readWaitOptions, userEntryReader } from './input';

export const properties: INodeProperties[] = [
	userIdField('upsert'),
	emailField('upsert'),
	businessUnitField('upsert'),
	...attributeFields('upsert'),
	waitOptions('upsert'),
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Create or Update',
	value: 'upsert',
	action: 'Create or update a user',
	description: 'Create a new record, or update the current one if it already exists (upsert)',
};

/** PUT /users — creates the user, or updates only the given fields of an existing one (asynchronously). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	items: INodeExecutionData[],
): Promise<IDataObject> {
	const entry = userEntryReader(this, items)(itemIndex);
	const answer = await activateProRequest(this, 'PUT', '/users', entry, itemIndex);
	const trackingId = (answer.body as IDataObject | undefined)?.trackingId;
	if (answer.statusCode !== 202 || typeof trackingId !== 'string') {
		throw activateProError(this.getNode(), answer, { itemIndex, action: `create or update user ${quoted(entry.id)}` });
	}
	const result: IDataObject = { userId: entry.id, email: entry.email, status: 'accepted', trackingId };
	const wait = readWaitOptions(this, itemIndex);
	if (!wait.waitForCompletion) return result;

	const status = (await waitForTrackings(this, [trackingId], wait.timeoutMs, itemIndex)).get(trackingId)!;
	if (status.error > 0) {
		throw apiError(this.getNode(), {
			message: `ActivatePro could not apply the update for user ${quoted(entry.id)} (${itemLabel(itemIndex)}): tracking ${trackingId} reports ${status.error} error`,
			description:
				'The request was valid but failed in processing. The usual cause: the email already belongs to a user with another ID.',
			itemIndex,
			data: { trackingId, ...status },
		});
	}
	return { ...result, status: 'processed', ...status };
}
