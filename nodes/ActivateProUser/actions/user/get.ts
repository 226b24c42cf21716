// ActivatePro → User → Get: GET /users/{id}, with its fields. Uses transport, input, fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { quoted } from '../../../shared/text';
import { activateProError, activateProRequest } from '../../transport';
import { ifNotFoundField, requestOptions, userIdField } from './fields';
import { textParameter } from './input';

export const properties: INodeProperties[] = [userIdField('get'), ifNotFoundField('get'), requestOptions('get')];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Get', value: 'get', action: 'Get a user by ID' };

/** GET /users/{id} */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = textParameter(this, 'userId', 'User ID', itemIndex, 'Set "User ID" to the ID of the user to read.');
	const answer = await activateProRequest(this, 'GET', `/users/${encodePathSegment(userId)}`, undefined, itemIndex);
	if (answer.statusCode === 404 && this.getNodeParameter('ifNotFound', itemIndex, 'error') === 'empty') return {};
	if (answer.statusCode !== 200) {
		throw activateProError(this.getNode(), answer, {
			itemIndex,
			action: 'read the user',
			notFound: `No user has the ID ${quoted(userId)} in ActivatePro`,
		});
	}
	return objectBody(this.getNode(), answer.body, 'ActivatePro', itemIndex);
}
