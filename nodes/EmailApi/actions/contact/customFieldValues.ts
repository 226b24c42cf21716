// Email API → Contact: the item's custom fields — each named by ID, key or name, each value checked against its
// field's type before anything is sent. Uses customFields, shared/.
import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';

import { inputError, itemLabel } from '../../../shared/errors';
import { quoted } from '../../../shared/text';
import type { EmailApiSettings } from '../../transport';
import { DATA_TYPES, fieldLabel, locationCustomFields, type CustomField } from './customFields';

/** At most this many custom fields set in one item. */
const MAX_ENTRIES = 100;
/** The longest value we send; a longer one is a mapping mistake (a whole document), refused before sending. */
export const MAX_CUSTOM_VALUE_LENGTH = 10_000;
/** The longest field reference (ID, key or name) read at all. */
const MAX_REFERENCE_LENGTH = 200;

/**
 * The item's Custom Fields as HighLevel's upsert takes them ([{id, field_value}]), each value checked against its
 * field's type; undefined when none are set. Reads the location's fields (once per execution) only when needed.
 */
export async function customFieldEntries(
	ctx: IExecuteFunctions,
	settings: EmailApiSettings,
	locationId: string,
	itemIndex: number,
): Promise<{ entries: IDataObject[]; fields: CustomField[] } | undefined> {
	const given = ((ctx.getNodeParameter('customFields', itemIndex, {}) as IDataObject).field ?? []) as IDataObject[];
	if (!Array.isArray(given) || given.length === 0) return undefined;
	const node = ctx.getNode();
	const refuse = (problem: string, fix: string) =>
		inputError(node, `${problem} (${itemLabel(itemIndex)})`, itemIndex, fix);
	if (given.length > MAX_ENTRIES)
		throw refuse(`${given.length} custom fields in one item`, `Set at most ${MAX_ENTRIES}.`);
	// Every value is checked for size before anything is read from HighLevel.
	for (const entry of given) {
		const length = typeof entry.value === 'string' ? entry.value.length : JSON.stringify(entry.value ?? '').length;
		if (length > MAX_CUSTOM_VALUE_LENGTH) {
			throw refuse(
				`A custom field value of ${length} characters`,
				`Keep each value to ${MAX_CUSTOM_VALUE_LENGTH} characters.`,
			);
		}
	}
	const fields = await locationCustomFields(ctx, settings, locationId, itemIndex);
	const seen = new Set<string>();
	const entries: IDataObject[] = [];
	for (const entry of given) {
		const field = fieldOf(fields, entry.field, refuse);
		if (seen.has(field.id))
			throw refuse(`The custom field ${quoted(field.name)} is set twice`, 'Set each custom field once.');
		seen.add(field.id);
		entries.push({ id: field.id, field_value: checkedValue(field, entry.value, refuse) });
	}
	return { entries, fields };
}

/**
 * A custom field named by its ID, key or name (as a filter gives it): the location's field, or an item error
 * naming the fields that exist.
 */
export async function customFieldOf(
	ctx: IExecuteFunctions,
	settings: EmailApiSettings,
	locationId: string,
	given: string,
	itemIndex: number,
): Promise<CustomField> {
	const refuse: Refuse = (problem, fix) =>
		inputError(ctx.getNode(), `${problem} (${itemLabel(itemIndex)})`, itemIndex, fix);
	return fieldOf(await locationCustomFields(ctx, settings, locationId, itemIndex), given, refuse);
}

type Refuse = (problem: string, fix: string) => Error;

function fieldOf(fields: CustomField[], locator: unknown, refuse: Refuse): CustomField {
	const given = locator as INodeParameterResourceLocator | string | undefined;
	const mode = typeof given === 'object' && given ? given.mode : 'id';
	const raw = typeof given === 'object' && given ? given.value : given;
	const text = typeof raw === 'string' ? raw.trim() : String(raw ?? '').trim();
	const known = () =>
		fields.length
			? `The location's custom fields: ${fields
					.slice(0, 20)
					.map(fieldLabel)
					.join(', ')}${fields.length > 20 ? `, and ${fields.length - 20} more` : ''}.`
			: 'The location has no contact custom fields: create them in HighLevel (Settings → Custom Fields).';
	if (!text) throw refuse('A custom field is not chosen', `Pick one from the list. ${known()}`);
	if (text.length > MAX_REFERENCE_LENGTH)
		throw refuse(`A custom field reference of ${text.length} characters`, known());
	// By key: "contact.last_re_engaged", "{{ contact.last_re_engaged }}" (as HighLevel shows it) or "last_re_engaged".
	const key = text.replace(/^\{\{\s*/, '').replace(/\s*\}\}$/, '');
	const bare = key.startsWith('contact.') ? key.slice('contact.'.length) : key;
	const found =
		mode === 'key'
			? fields.find((f) => f.fieldKey === key || f.fieldKey === `contact.${bare}`)
			: (fields.find((f) => f.id === text) ??
				fields.find((f) => f.fieldKey === key || f.fieldKey === `contact.${bare}`) ??
				fields.find((f) => f.name.toLowerCase() === text.toLowerCase()));
	if (!found) throw refuse(`No contact custom field ${quoted(text)} in this location`, known());
	return found;
}

function checkedValue(field: CustomField, value: unknown, refuse: Refuse): string | string[] {
	const kind = DATA_TYPES[field.dataType]?.kind;
	const label = `${quoted(field.name)} (${DATA_TYPES[field.dataType]?.label ?? field.dataType})`;
	if (kind === undefined) {
		throw refuse(
			`The custom field ${label} cannot be set by this node`,
			'Set it in HighLevel, or use the HTTP Request node with this credential.',
		);
	}
	if (value === '' || value === undefined || value === null) return ''; // clears the field
	switch (kind) {
		case 'number': {
			const number = typeof value === 'number' ? value : Number(String(value).trim());
			if (!Number.isFinite(number) || String(value).trim() === '') {
				throw refuse(
					`${quoted(String(value).slice(0, 40))} is not a number, for the custom field ${label}`,
					'Map a number, e.g. 42 or 19.99.',
				);
			}
			// As text: contacts.json types NumericField's value as an object (its example is a number), so the one
			// form every reading of the document accepts is a TextField's string.
			return String(number);
		}
		case 'date': {
			const text = value instanceof Date ? '' : String(value).trim();
			// A date as written ("2026-12-06", or the date part of "2026-12-06T01:00:00+02:00") is kept as the day it names.
			if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(new Date(text.slice(0, 10)).getTime()))
				return text.slice(0, 10);
			const when = value instanceof Date ? value : new Date(text);
			if (Number.isNaN(when.getTime())) {
				throw refuse(
					`${quoted(String(value).slice(0, 40))} is not a date, for the custom field ${label}`,
					'Map a date, e.g. 2026-12-06 or {{ $now.toISODate() }}.',
				);
			}
			return when.toISOString().slice(0, 10);
		}
		case 'option':
			return optionOf(field, String(value).trim(), label, refuse);
		case 'options': {
			const list = Array.isArray(value)
				? value.map((v) => String(v).trim())
				: String(value)
						.split(',')
						.map((v) => v.trim());
			return [...new Set(list.filter(Boolean).map((v) => optionOf(field, v, label, refuse)))];
		}
		default:
			return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
	}
}

/** The field's own spelling of an option given in any case; anything else is refused naming the options. */
function optionOf(field: CustomField, given: string, label: string, refuse: Refuse): string {
	const match =
		field.options.find((o) => o === given) ?? field.options.find((o) => o.toLowerCase() === given.toLowerCase());
	if (match === undefined) {
		throw refuse(
			`${quoted(given.slice(0, 40))} is not an option of the custom field ${label}`,
			`Use one of: ${field.options.slice(0, 30).join(', ')}.`,
		);
	}
	return match;
}
