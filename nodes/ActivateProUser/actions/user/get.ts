// ActivatePro → User → Get: GET /users/{id}, with its fields. Uses transport, common, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { quoted } from '../../../shared/text';
import { activateProRequest, answerError } from '../../transport';
import { textParameter } from './common';

export const properties: INodeProperties[] = [
	{
		displayName: 'If Not Found',
		name: 'ifNotFound',
		type: 'options',
		default: 'error',
		description: 'What to do when ActivatePro has no user with this ID',
		displayOptions: { show: { operation: ['get'] } },
		options: [
			{ name: 'Fail the Item', value: 'error' },
			{
				name: 'Output an Empty Item',
				value: 'empty',
				description:
					'Output {} and go on, e.g. a flow that reads the profile first to see whether it exists (a new user has none)',
			},
		],
	},
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Get', value: 'get', action: 'Get a user by ID' };

/** GET /users/{id} */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = textParameter(this, 'userId', 'User ID', itemIndex, 'Set "User ID" to the ID of the user to read.');
	const answer = await activateProRequest(this, 'GET', `/users/${encodePathSegment(userId)}`, undefined, itemIndex);
	if (answer.statusCode === 404 && this.getNodeParameter('ifNotFound', itemIndex, 'error') === 'empty') return {};
	if (answer.statusCode !== 200) {
		throw answerError(this.getNode(), answer, {
			itemIndex,
			action: 'read the user',
			notFound: `No user has the ID ${quoted(userId)} in ActivatePro`,
		});
	}
	return objectBody(this.getNode(), answer.body, 'ActivatePro', itemIndex);
}
