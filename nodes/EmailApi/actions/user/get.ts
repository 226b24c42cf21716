// Email API → User → Get: GET /users/{id}, with its field. Uses transport, answers, common, fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { emailApiError, isSuccess, unknownId } from '../../answers';
import { emailApiRequest } from '../../transport';
import { requiredText } from '../common';
import { userIdField } from './fields';

export const properties: INodeProperties[] = [userIdField({ resource: ['user'], operation: ['get'] })];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Get', value: 'get', action: 'Get a user by ID' };

/** GET /users/{userId} — the answer's body; an unknown ID fails the item naming it. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = requiredText(this, 'userId', 'User ID', itemIndex);
	const answer = await emailApiRequest(this, { method: 'GET', path: `/users/${encodePathSegment(userId)}`, itemIndex });
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: 'read the user',
			scope: 'users.readonly',
			itemIndex,
			notFound: unknownId('user', userId),
		});
	}
	return objectBody(this.getNode(), answer.body, 'The Email API', itemIndex);
}
