// ActivatePro → User → Delete: DELETE /users/{id}, then its tracking if asked. Uses transport, tracking, input, fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { apiError } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { quoted } from '../../../shared/text';
import { activateProError, activateProRequest } from '../../transport';
import { waitForTrackings } from '../../tracking';
import { userIdField, waitOptions } from './fields';
import { readWaitOptions, textParameter } from './input';

export const properties: INodeProperties[] = [userIdField('delete'), waitOptions('delete')];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Delete', value: 'delete', action: 'Delete a user by ID' };

/** DELETE /users/{id} — asynchronous; deleting a user that does not exist also succeeds. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = textParameter(this, 'userId', 'User ID', itemIndex, 'Set "User ID" to the ID of the user to delete.');
	const answer = await activateProRequest(this, 'DELETE', `/users/${encodePathSegment(userId)}`, undefined, itemIndex);
	const trackingId = (answer.body as IDataObject | undefined)?.trackingId;
	if (answer.statusCode !== 202 || typeof trackingId !== 'string') {
		throw activateProError(this.getNode(), answer, { itemIndex, action: `delete user ${quoted(userId)}` });
	}
	const result: IDataObject = { userId, status: 'accepted', trackingId };
	const wait = readWaitOptions(this, itemIndex);
	if (!wait.waitForCompletion) return result;

	const status = (await waitForTrackings(this, [trackingId], wait.timeoutMs, itemIndex)).get(trackingId)!;
	if (status.error > 0) {
		throw apiError(this.getNode(), {
			message: `ActivatePro could not delete user ${quoted(userId)}: tracking ${trackingId} reports ${status.error} error`,
			itemIndex,
			data: { trackingId, ...status },
		});
	}
	return { ...result, status: 'processed', deleted: true, ...status };
}
