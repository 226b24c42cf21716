// Email API → User → Delete: DELETE /users/{id}, with its field. Uses transport, common, fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { encodePathSegment } from '../../../shared/http';
import { quoted } from '../../../shared/text';
import { emailApiError, emailApiRequest, isSuccess, messageOf } from '../../transport';
import { requiredText } from '../common';
import { userIdField } from './fields';

export const properties: INodeProperties[] = [userIdField({ resource: ['user'], operation: ['delete'] })];

/** DELETE /users/{userId} — the API queues the deletion and answers at once. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = requiredText(this, 'userId', 'User ID', itemIndex);
	const answer = await emailApiRequest(this, {
		method: 'DELETE',
		path: `/users/${encodePathSegment(userId)}`,
		itemIndex,
	});
	// Deletion sync wants the user gone: one that is already gone (or whose deletion answer was lost) is done.
	if (answer.statusCode === 404 || (answer.statusCode === 400 && /not found|invalid/i.test(messageOf(answer.body)))) {
		return { userId, deleted: true, alreadyDeleted: true, message: messageOf(answer.body) };
	}
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: `delete the user ${userId}`,
			scope: 'users.write',
			itemIndex,
			notFound: `No Email API user has the ID ${quoted(userId)}`,
		});
	}
	const body = (answer.body ?? {}) as IDataObject;
	return { userId, deleted: true, message: body.message ?? '' };
}
