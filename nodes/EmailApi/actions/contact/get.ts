// Email API → Contact → Get: GET /contacts/{id} (its field: delete.ts). Uses records, fields.
import type { IDataObject, IExecuteFunctions, INodePropertyOptions } from 'n8n-workflow';

import { CONTACT, getRecord } from '../records';
import { contactIdOf } from './fields';

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Get',
	value: 'get',
	action: 'Get a contact by ID',
	description: 'Read a contact by ID, with its tags',
};

/** GET /contacts/{contactId} — the contact itself (the answer wraps it in "contact"). Its ID field: delete.ts. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const body = await getRecord(this, itemIndex, CONTACT, contactIdOf(this, itemIndex));
	return (body.contact as IDataObject | undefined) ?? body;
}
