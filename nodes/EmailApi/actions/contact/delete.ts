// Email API → Contact → Delete: DELETE /contacts/{id}; Get shares its field. Uses transport, answers, fields,
// shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { encodePathSegment } from '../../../shared/http';
import { emailApiError, isNotFound, isSuccess } from '../../answers';
import { emailApiRequest } from '../../transport';
import { contactIdField, contactIdOf } from './fields';

// Get reads the same field (get.ts has no properties of its own).
export const properties: INodeProperties[] = [contactIdField({ resource: ['contact'], operation: ['delete', 'get'] })];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Delete', value: 'delete', action: 'Delete a contact by ID' };

/**
 * DELETE /contacts/{contactId}. Deletion sync wants the contact gone: one that is already gone (or whose deletion
 * answer was lost before a retry) counts as deleted, marked alreadyDeleted.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const contactId = contactIdOf(this, itemIndex);
	const path = `/contacts/${encodePathSegment(contactId)}`;
	const answer = await emailApiRequest(this, { method: 'DELETE', path, itemIndex });
	if (isNotFound(answer)) return { contactId, deleted: true, alreadyDeleted: true };
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: `delete the contact ${contactId}`,
			scope: 'contacts.write',
			itemIndex,
		});
	}
	return { contactId, deleted: true };
}
