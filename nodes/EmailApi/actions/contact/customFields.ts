// Email API → Contact: the location's custom fields — the Custom Fields rows, the fields read once per run, the
// picker's labels, a contact's values by name. Uses transport, answers, common, shared/.
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions, INodeProperties } from 'n8n-workflow';

import { encodePathSegment } from '../../../shared/http';
import { emailApiError, isSuccess } from '../../answers';
import { emailApiRequest, type EmailApiSettings } from '../../transport';
import type { Show } from '../common';

/** A location's contact custom field as GET /locations/{locationId}/customFields lists it (locations.json). */
export interface CustomField {
	id: string;
	name: string;
	fieldKey: string;
	dataType: string;
	options: string[];
}

/** How each HighLevel data type is named in the picker, and how its value is checked and sent. */
export const DATA_TYPES: Record<string, { label: string; kind: 'text' | 'number' | 'date' | 'option' | 'options' }> = {
	TEXT: { label: 'Text', kind: 'text' },
	LARGE_TEXT: { label: 'Multi-Line Text', kind: 'text' },
	PHONE: { label: 'Phone', kind: 'text' },
	NUMERICAL: { label: 'Number', kind: 'number' },
	MONETORY: { label: 'Money', kind: 'number' },
	DATE: { label: 'Date', kind: 'date' },
	SINGLE_OPTIONS: { label: 'Dropdown', kind: 'option' },
	RADIO: { label: 'Radio', kind: 'option' },
	CHECKBOX: { label: 'Checkbox', kind: 'options' },
	MULTIPLE_OPTIONS: { label: 'Multiple Options', kind: 'options' },
};

export const customFieldsProperty = (show: Show): INodeProperties => ({
	displayName: 'Custom Fields',
	name: 'customFields',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Custom Field',
	default: {},
	description:
		"The location's contact custom fields to set; each value is checked against the field's type before sending",
	displayOptions: { show },
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				{
					displayName: 'Field',
					name: 'field',
					type: 'resourceLocator',
					default: { mode: 'list', value: '' },
					description: 'The custom field: from the list (by name, with its type), or by its key or ID',
					modes: [
						{
							displayName: 'From List',
							name: 'list',
							type: 'list',
							placeholder: 'Select a custom field...',
							typeOptions: { searchListMethod: 'searchCustomFields', searchable: true },
						},
						{ displayName: 'By Key', name: 'key', type: 'string', placeholder: 'e.g. contact.last_re_engaged' },
						{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'e.g. 3sv6UEo51C9Bmpo1cKTq' },
					],
				},
				{
					displayName: 'Value',
					name: 'value',
					type: 'string',
					default: '',
					description:
						'Numbers for Number and Money fields, a date for Date fields, one of the options for Dropdown and Radio, and comma-separated options (or an array) for Checkbox and Multiple Options',
				},
			],
		},
	],
});

// The fields of each location, read once per execution (every item of a run shares them).
const fieldsByRun = new WeakMap<object, Map<string, Promise<CustomField[]>>>();

/** GET /locations/{locationId}/customFields?model=contact — the location's contact custom fields. */
export function locationCustomFields(
	ctx: IExecuteFunctions | ILoadOptionsFunctions,
	settings: EmailApiSettings,
	locationId: string,
	itemIndex?: number,
): Promise<CustomField[]> {
	let byLocation = fieldsByRun.get(ctx);
	if (!byLocation) fieldsByRun.set(ctx, (byLocation = new Map()));
	let fields = byLocation.get(locationId);
	if (!fields) {
		fields = readCustomFields(ctx, settings, locationId, itemIndex);
		byLocation.set(locationId, fields);
		// A failed read is not kept: the next item asks again.
		fields.catch(() => byLocation!.delete(locationId));
	}
	return fields;
}

async function readCustomFields(
	ctx: IExecuteFunctions | ILoadOptionsFunctions,
	settings: EmailApiSettings,
	locationId: string,
	itemIndex?: number,
): Promise<CustomField[]> {
	const answer = await emailApiRequest(
		ctx,
		{
			method: 'GET',
			path: `/locations/${encodePathSegment(locationId)}/customFields`,
			qs: { model: 'contact' },
			itemIndex,
		},
		settings,
	);
	if (!isSuccess(answer)) {
		throw emailApiError(ctx.getNode(), answer, {
			action: "read the location's custom fields",
			scope: 'locations/customFields.readonly',
			itemIndex,
		});
	}
	const listed = (answer.body as IDataObject | undefined)?.customFields;
	return (Array.isArray(listed) ? (listed as IDataObject[]) : [])
		.filter((f) => typeof f.id === 'string' && (f.model === undefined || f.model === 'contact'))
		.map((f) => ({
			id: f.id as string,
			name: String(f.name ?? f.id),
			fieldKey: String(f.fieldKey ?? ''),
			dataType: String(f.dataType ?? 'TEXT'),
			options: Array.isArray(f.picklistOptions) ? (f.picklistOptions as unknown[]).map(String) : [],
		}));
}

/** The picker's label: the name and the type, e.g. "Last re-engaged (Date)". */
export const fieldLabel = (field: CustomField) =>
	`${field.name} (${DATA_TYPES[field.dataType]?.label ?? field.dataType})`;

/** The contact's custom field values by field name (values of fields not listed keep their ID). */
export function valuesByName(contact: IDataObject, fields: CustomField[]): IDataObject {
	const names = new Map(fields.map((f) => [f.id, f.name]));
	const byName: IDataObject = {};
	const values = Array.isArray(contact.customFields) ? (contact.customFields as IDataObject[]) : [];
	for (const { id, value } of values) byName[names.get(String(id)) ?? String(id)] = value as IDataObject[string];
	return byName;
}
