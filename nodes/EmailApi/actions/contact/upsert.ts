// Email API → Contact → Create or Update: POST /contacts/upsert, with its fields. Uses transport, answers,
// fullName, common, customFields, customFieldValues, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { fieldCollection } from '../../../shared/description';
import { inputError, itemLabel, objectBody } from '../../../shared/errors';
import { emailApiError, isSuccess } from '../../answers';
import { firstAndLastName } from '../../fullName';
import { emailApiRequest, emailApiSettings } from '../../transport';
import { checkEmail, commaList, emailAndNameFields, locationField, locationOf } from '../common';
import { valuesByName } from './customFields';
import { customFieldEntries } from './customFieldValues';

const show = { resource: ['contact'], operation: ['upsert'] };

export const properties: INodeProperties[] = [
	...emailAndNameFields(show, {
		emailRequired: false,
		emailDescription: 'The contact is matched by email (or phone) within the location',
	}),
	locationField(show),
	fieldCollection('additionalFields', show, [
		{ displayName: 'Company Name', name: 'companyName', type: 'string', default: '' },
		{ displayName: 'Country', name: 'country', type: 'string', default: '', placeholder: 'US' },
		{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
		{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
		{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
		{ displayName: 'Source', name: 'source', type: 'string', default: 'n8n' },
		{ displayName: 'Tags', name: 'tags', type: 'string', default: '', description: 'Comma-separated' },
		{ displayName: 'Timezone', name: 'timezone', type: 'string', default: '', placeholder: 'Europe/Berlin' },
	]),
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Create or Update',
	value: 'upsert',
	action: 'Create or update a contact',
	description: 'Create a new record, or update the current one if it already exists (upsert)',
};

/** POST /contacts/upsert — creates the contact or updates the one with the same email/phone. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const settings = await emailApiSettings(this);
	const extra = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const email = String(this.getNodeParameter('email', itemIndex, '') ?? '').trim();
	const phone = String(extra.phone ?? '').trim();
	if (!email && !phone) {
		throw inputError(
			this.getNode(),
			`The contact needs an email or a phone (${itemLabel(itemIndex)})`,
			itemIndex,
			'Set "Email", e.g. {{ $json.email }}.',
		);
	}
	const body: IDataObject = { locationId: locationOf(this, settings, itemIndex) };
	if (email) body.email = checkEmail(this, email, itemIndex);
	const { firstName, lastName } = firstAndLastName(
		this.getNodeParameter('fullName', itemIndex, ''),
		extra.firstName,
		extra.lastName,
	);
	if (firstName) body.firstName = firstName;
	if (lastName) body.lastName = lastName;
	if (phone) body.phone = phone;
	for (const key of ['companyName', 'country', 'source', 'timezone'] as const)
		if (extra[key]) body[key] = String(extra[key]);
	if (extra.tags) body.tags = commaList(extra.tags);
	const custom = await customFieldEntries(this, settings, String(body.locationId), itemIndex);
	if (custom) body.customFields = custom.entries;
	// idempotent: the contact is matched by email (or phone), so sent twice it updates the same contact
	const answer = await emailApiRequest(
		this,
		{ method: 'POST', idempotent: true, path: '/contacts/upsert', body, itemIndex },
		settings,
	);
	if (!isSuccess(answer))
		throw emailApiError(this.getNode(), answer, {
			action: `upsert the contact ${email || phone}`,
			scope: 'contacts.write',
			itemIndex,
		});
	const result = objectBody(this.getNode(), answer.body, 'The Email API', itemIndex);
	const contact = (result.contact ?? {}) as IDataObject;
	// With Custom Fields set, the output also names the contact's custom field values by field name.
	if (custom)
		return {
			contactId: contact.id,
			new: result.new,
			...contact,
			customFieldsByName: valuesByName(contact, custom.fields),
		};
	return { contactId: contact.id, new: result.new, ...contact };
}
