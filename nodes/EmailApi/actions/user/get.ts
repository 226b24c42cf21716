// Email API → User → Get: GET /users/{id}, with its field. Uses transport, common, fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { quoted } from '../../../shared/text';
import { emailApiError, emailApiRequest, isSuccess } from '../../transport';
import { requiredText } from '../common';
import { userIdField } from './fields';

export const properties: INodeProperties[] = [userIdField({ resource: ['user'], operation: ['get'] })];

/** GET /users/{userId} */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = requiredText(this, 'userId', 'User ID', itemIndex);
	const answer = await emailApiRequest(this, { method: 'GET', path: `/users/${encodePathSegment(userId)}`, itemIndex });
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: 'read the user',
			scope: 'users.readonly',
			itemIndex,
			notFound: `No Email API user has the ID ${quoted(userId)}`,
		});
	}
	return objectBody(this.getNode(), answer.body, 'The Email API', itemIndex);
}
