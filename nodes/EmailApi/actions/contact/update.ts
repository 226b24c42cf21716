// Email API → Contact → Update: PUT /contacts/{id}, only the fields given (custom fields: upsert.ts). Uses
// transport, answers, common, fields, tags, customFields, customFieldValues, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { fieldCollection } from '../../../shared/description';
import { inputError, itemLabel, objectBody } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { emailApiError, isSuccess, unknownId } from '../../answers';
import { emailApiRequest, emailApiSettings } from '../../transport';
import { checkEmail, commaList, locationField, locationOf } from '../common';
import { valuesByName } from './customFields';
import { customFieldEntries } from './customFieldValues';
import { contactIdField, contactIdOf } from './fields';
import { MAX_TAGS } from './tags';

const show = { resource: ['contact'], operation: ['update'] };

// The Custom Fields rows follow (index.ts: one property for Create or Update and Update).
export const properties: INodeProperties[] = [
	contactIdField(show, 'The contact to update, e.g. {{ $json.emailApiContactId }}'),
	{
		...locationField(show),
		description: "The contact's sub-account (location), for its custom fields. Empty: the credential's location.",
	},
	fieldCollection('updateFields', show, [
		{ displayName: 'Country', name: 'country', type: 'string', default: '', placeholder: 'US' },
		{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '' },
		{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
		{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
		{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
		{ displayName: 'Source', name: 'source', type: 'string', default: '' },
		{
			displayName: 'Tags (Replace All)',
			name: 'tags',
			type: 'string',
			default: '',
			description:
				"Comma-separated. Replaces all of the contact's tags; to add or remove some, use Add Tags or Remove Tags.",
		},
		{ displayName: 'Timezone', name: 'timezone', type: 'string', default: '', placeholder: 'Europe/Berlin' },
	]),
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Update',
	value: 'update',
	action: 'Update a contact by ID',
	description: "Change a contact's fields and custom fields by its ID",
};

/** PUT /contacts/{contactId} with only the fields given; safe to repeat (the same values again). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const settings = await emailApiSettings(this);
	const contactId = contactIdOf(this, itemIndex, 'Map the contact ID, e.g. {{ $json.emailApiContactId }}.');
	const given = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = {};
	for (const key of ['country', 'firstName', 'lastName', 'phone', 'source', 'timezone'] as const) {
		const value = String(given[key] ?? '').trim();
		if (value) body[key] = value;
	}
	const email = String(given.email ?? '').trim();
	if (email) body.email = checkEmail(this, email, itemIndex);
	if (given.tags !== undefined && given.tags !== '') {
		const tags = commaList(given.tags);
		if (tags.length > MAX_TAGS) {
			throw inputError(
				this.getNode(),
				`${tags.length} tags in one item (${itemLabel(itemIndex)})`,
				itemIndex,
				`Send at most ${MAX_TAGS} tags per contact and item.`,
			);
		}
		body.tags = tags;
	}
	const custom = await customFieldEntries(this, settings, locationOf(this, settings, itemIndex), itemIndex);
	if (custom) body.customFields = custom.entries;
	if (Object.keys(body).length === 0) {
		throw inputError(
			this.getNode(),
			`Nothing to update (${itemLabel(itemIndex)})`,
			itemIndex,
			'Add a field under "Update Fields" or a row under "Custom Fields".',
		);
	}
	const answer = await emailApiRequest(
		this,
		{ method: 'PUT', path: `/contacts/${encodePathSegment(contactId)}`, body, itemIndex },
		settings,
	);
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: `update the contact ${contactId}`,
			scope: 'contacts.write',
			itemIndex,
			notFound: unknownId('contact', contactId),
		});
	}
	const result = objectBody(this.getNode(), answer.body, 'The Email API', itemIndex);
	const contact = (result.contact ?? result) as IDataObject;
	if (custom)
		return { contactId: contact.id ?? contactId, ...contact, customFieldsByName: valuesByName(contact, custom.fields) };
	return { contactId: contact.id ?? contactId, ...contact };
}
