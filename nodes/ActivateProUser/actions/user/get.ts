import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { activateProRequest, answerError } from '../../transport';
import { textParameter } from './common';

/** GET /users/{id} */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const userId = textParameter(this, 'userId', 'User ID', itemIndex, 'Set "User ID" to the ID of the user to read.');
	const answer = await activateProRequest(this, 'GET', `/users/${encodePathSegment(userId)}`, undefined, itemIndex);
	if (answer.statusCode !== 200) {
		throw answerError(this.getNode(), answer, { itemIndex, action: 'read the user', notFound: `No user has the ID "${userId}" in ActivatePro` });
	}
	return objectBody(this.getNode(), answer.body, 'ActivatePro', itemIndex);
}
