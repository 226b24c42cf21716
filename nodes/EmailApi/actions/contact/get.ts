// Email API → Contact → Get: GET /contacts/{id} (its field: delete.ts). Uses transport, fields, shared/.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { quoted } from '../../../shared/text';
import { emailApiError, emailApiRequest, isSuccess } from '../../transport';
import { contactIdOf } from './fields';

/** GET /contacts/{contactId} — the contact itself (the answer wraps it in "contact"). Its ID field: delete.ts. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const contactId = contactIdOf(this, itemIndex);
	const answer = await emailApiRequest(this, {
		method: 'GET',
		path: `/contacts/${encodePathSegment(contactId)}`,
		itemIndex,
	});
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: 'read the contact',
			scope: 'contacts.readonly',
			itemIndex,
			notFound: `No Email API contact has the ID ${quoted(contactId)}`,
		});
	}
	const body = objectBody(this.getNode(), answer.body, 'The Email API', itemIndex);
	return (body.contact as IDataObject | undefined) ?? body;
}
