// Email API → Contact → Get: GET /contacts/{id} (its ID field: delete.ts), with custom fields by name on request.
// Uses transport, answers, fields, customFields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { emailApiError, isSuccess, unknownId } from '../../answers';
import { emailApiRequest, emailApiSettings } from '../../transport';
import { locationCustomFields, valuesByName } from './customFields';
import { contactIdOf } from './fields';

export const properties: INodeProperties[] = [
	{
		displayName: 'Custom Fields by Name',
		name: 'customFieldsByName',
		type: 'boolean',
		default: false,
		description:
			"Whether to add the contact's custom field values by field name (customFieldsByName). Reads the location's custom fields once per run: scope locations/customFields.readonly.",
		displayOptions: { show: { resource: ['contact'], operation: ['get'] } },
	},
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Get',
	value: 'get',
	action: 'Get a contact by ID',
	description: 'Read a contact by ID, with its tags',
};

/**
 * GET /contacts/{contactId} — the contact itself (the answer wraps it in "contact"); an unknown ID fails the item
 * naming it. Its ID field: delete.ts.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const contactId = contactIdOf(this, itemIndex);
	const path = `/contacts/${encodePathSegment(contactId)}`;
	const answer = await emailApiRequest(this, { method: 'GET', path, itemIndex });
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: 'read the contact',
			scope: 'contacts.readonly',
			itemIndex,
			notFound: unknownId('contact', contactId),
		});
	}
	const body = objectBody(this.getNode(), answer.body, 'The Email API', itemIndex);
	const contact = (body.contact as IDataObject | undefined) ?? body;
	if (!this.getNodeParameter('customFieldsByName', itemIndex, false)) return contact;
	const settings = await emailApiSettings(this);
	const locationId = String(contact.locationId || settings.locationId || '');
	const fields = locationId ? await locationCustomFields(this, settings, locationId, itemIndex) : [];
	return { ...contact, customFieldsByName: valuesByName(contact, fields) };
}
