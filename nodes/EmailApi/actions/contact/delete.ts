import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { encodePathSegment } from '../../../shared/http';
import { emailApiError, emailApiRequest, isSuccess, messageOf } from '../../transport';
import { requiredText } from '../common';

export const properties: INodeProperties[] = [
	{
		displayName: 'Contact ID',
		name: 'contactId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.contactId }}',
		displayOptions: { show: { resource: ['contact'], operation: ['delete', 'get'] } },
	},
];

/** DELETE /contacts/{contactId} — a contact that is already gone counts as deleted (deletion sync). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const contactId = requiredText(this, 'contactId', 'Contact ID', itemIndex, 'Map the contact ID, e.g. {{ $json.emailApiContactId }}.');
	const answer = await emailApiRequest(this, { method: 'DELETE', path: `/contacts/${encodePathSegment(contactId)}`, itemIndex });
	if (answer.statusCode === 404 || (answer.statusCode === 400 && /not found|invalid/i.test(messageOf(answer.body)))) {
		return { contactId, deleted: true, alreadyDeleted: true };
	}
	if (!isSuccess(answer)) throw emailApiError(this.getNode(), answer, { action: `delete the contact ${contactId}`, scope: 'contacts.write', itemIndex });
	return { contactId, deleted: true };
}
