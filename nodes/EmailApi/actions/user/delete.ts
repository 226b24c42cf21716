// Email API → User → Delete: DELETE /users/{id}, with its field. Uses transport, answers, common, fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { encodePathSegment } from '../../../shared/http';
import { emailApiError, isNotFound, isSuccess, messageOf } from '../../answers';
import { emailApiRequest } from '../../transport';
import { requiredText } from '../common';
import { userIdField } from './fields';

export const properties: INodeProperties[] = [userIdField({ resource: ['user'], operation: ['delete'] })];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Delete', value: 'delete', action: 'Delete a user by ID' };

/**
 * DELETE /users/{userId} — the API queues the deletion and answers at once. Deletion sync wants the user gone: one
 * that is already gone (or whose deletion answer was lost before a retry) counts as deleted, marked alreadyDeleted.
 * `message` is the API's own.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = requiredText(this, 'userId', 'User ID', itemIndex);
	const path = `/users/${encodePathSegment(userId)}`;
	const answer = await emailApiRequest(this, { method: 'DELETE', path, itemIndex });
	if (isNotFound(answer)) return { userId, deleted: true, alreadyDeleted: true, message: messageOf(answer.body) };
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: `delete the user ${userId}`,
			scope: 'users.write',
			itemIndex,
		});
	}
	return { userId, deleted: true, message: (answer.body as IDataObject | undefined)?.message ?? '' };
}
