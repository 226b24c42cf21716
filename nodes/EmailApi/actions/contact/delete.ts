// Email API → Contact → Delete: DELETE /contacts/{id}; Get shares its field. Uses records, fields.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { CONTACT, deleteRecord } from '../records';
import { contactIdField, contactIdOf } from './fields';

// Get reads the same field (get.ts has no properties of its own).
export const properties: INodeProperties[] = [contactIdField({ resource: ['contact'], operation: ['delete', 'get'] })];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Delete', value: 'delete', action: 'Delete a contact by ID' };

/** DELETE /contacts/{contactId} — a contact that is already gone counts as deleted (deletion sync). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const contactId = contactIdOf(this, itemIndex);
	const { alreadyDeleted } = await deleteRecord(this, itemIndex, CONTACT, contactId);
	return alreadyDeleted ? { contactId, deleted: true, alreadyDeleted } : { contactId, deleted: true };
}
