// Email API → Contact → Delete: DELETE /contacts/{id}; Get shares its field. Uses transport, fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { encodePathSegment } from '../../../shared/http';
import { emailApiError, emailApiRequest, isSuccess, messageOf } from '../../transport';
import { contactIdField, contactIdOf } from './fields';

// Get reads the same field (get.ts has no properties of its own).
export const properties: INodeProperties[] = [contactIdField({ resource: ['contact'], operation: ['delete', 'get'] })];

/** DELETE /contacts/{contactId} — a contact that is already gone counts as deleted (deletion sync). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const contactId = contactIdOf(this, itemIndex);
	const answer = await emailApiRequest(this, {
		method: 'DELETE',
		path: `/contacts/${encodePathSegment(contactId)}`,
		itemIndex,
	});
	if (answer.statusCode === 404 || (answer.statusCode === 400 && /not found|invalid/i.test(messageOf(answer.body)))) {
		return { contactId, deleted: true, alreadyDeleted: true };
	}
	if (!isSuccess(answer))
		throw emailApiError(this.getNode(), answer, {
			action: `delete the contact ${contactId}`,
			scope: 'contacts.write',
			itemIndex,
		});
	return { contactId, deleted: true };
}
