// ActivatePro → User: reading an item into what the API takes (its user entry, Bulk's action, text parameters,
// the wait options). Uses shared/itemFields, shared/errors, shared/text.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { inputError, itemLabel } from '../../../shared/errors';
import { hasExpression, itemReader } from '../../../shared/itemFields';
import { quoted } from '../../../shared/text';
import { looksLikeEmail } from '../../emailAddress';

const RESERVED_FIELDS = ['id', 'email', 'businessUnit'];

/**
 * Builds the API entry of an item's user in one pass: id, email, business unit and attributes written straight
 * into the entry (bulk work runs this 100,000 times a run). A delete entry carries the id and, if given, the
 * email. Throws a NodeOperationError naming the item and the field.
 */
export type UserEntryReader = (itemIndex: number, action?: BulkAction) => IDataObject;

export function userEntryReader(ctx: IExecuteFunctions, items: INodeExecutionData[]): UserEntryReader {
	const userId = itemReader(ctx, 'userId', items);
	const email = itemReader(ctx, 'email', items);
	const businessUnit = itemReader(ctx, 'businessUnit', items);
	let addAttributes: AttributeWriter | undefined;
	return (itemIndex, action = 'upsert') => {
		const isUpsert = action === 'upsert';
		const entry: IDataObject = {
			id: requiredText(
				ctx,
				userId(itemIndex),
				'User ID',
				itemIndex,
				'Set "User ID" to the user\'s ID, e.g. {{ $json.id }}.',
			),
		};
		const address = optionalText(ctx, email(itemIndex), 'Email', itemIndex);
		if (address === undefined) {
			if (isUpsert)
				throw inputError(
					ctx.getNode(),
					`"Email" is empty (${itemLabel(itemIndex)})`,
					itemIndex,
					'ActivatePro needs an email with every user: set "Email", e.g. {{ $json.email }}.',
				);
		} else {
			if (!looksLikeEmail(address)) {
				throw inputError(
					ctx.getNode(),
					`"Email" is not a valid email address: ${quoted(address)} (${itemLabel(itemIndex)})`,
					itemIndex,
					'Use an address like name@example.com.',
				);
			}
			entry.email = address;
		}
		if (!isUpsert) return entry;
		const unit = optionalText(ctx, businessUnit(itemIndex), 'Business Unit', itemIndex);
		if (unit !== undefined) entry.businessUnit = unit;
		// read on first use: a run of deletes never needs the attribute settings
		addAttributes ??= attributeWriter(ctx, items);
		addAttributes(itemIndex, entry);
		return entry;
	};
}

/** Writes an item's custom attributes into its entry. */
type AttributeWriter = (itemIndex: number, entry: IDataObject) => void;

function attributeWriter(ctx: IExecuteFunctions, items: INodeExecutionData[]): AttributeWriter {
	const source = ctx.getNodeParameter('attributeSource', 0, 'json') as string;
	if (source === 'none') return () => {};
	if (source === 'json') {
		const read = itemReader(ctx, 'attributesJson', items, '{}');
		return (i, entry) => copyAttributes(ctx, parseAttributesJson(ctx, read(i), i), entry, i);
	}
	if (source === 'keyValue') {
		const raw = ctx.getNode().parameters.attributesUi;
		const readPairs = (i: number) =>
			ctx.getNodeParameter('attributesUi.attribute', i, []) as Array<{ name: string; value: unknown }>;
		const fixed = hasExpression(raw) || items.length === 0 ? undefined : pairsToObject(ctx, readPairs(0), 0);
		return (i, entry) => copyAttributes(ctx, fixed ?? pairsToObject(ctx, readPairs(i), i), entry, i);
	}
	// All input fields, less the ones that carry the id, email and business unit and the excluded ones.
	const excluded = new Set([...RESERVED_FIELDS, ...mappedFieldNames(ctx)]);
	for (const name of String(ctx.getNodeParameter('excludeFields', 0, '')).split(','))
		if (name.trim()) excluded.add(name.trim());
	return (i, entry) => {
		const json = items[i].json;
		// for...in walks V8's cached key list without allocating one per item (Object.keys does); item json is
		// plain data (parsed or copied by n8n), so it has no inherited enumerable keys to skip
		for (const key in json) if (!excluded.has(key)) entry[key] = json[key];
	};
}

/** Attributes the builder gave explicitly: the id, email and business unit have fields of their own. */
function copyAttributes(ctx: IExecuteFunctions, attributes: IDataObject, entry: IDataObject, itemIndex: number) {
	for (const key of Object.keys(attributes)) {
		if (RESERVED_FIELDS.includes(key)) {
			throw inputError(
				ctx.getNode(),
				`The custom attributes contain ${quoted(key)} (${itemLabel(itemIndex)})`,
				itemIndex,
				`"${key}" is set by its own field; remove it from the attributes.`,
			);
		}
		entry[key] = attributes[key];
	}
}

function mappedFieldNames(ctx: IExecuteFunctions): string[] {
	const names: string[] = [];
	for (const param of ['userId', 'email', 'businessUnit']) {
		const raw = ctx.getNode().parameters[param];
		const match = typeof raw === 'string' ? /^=\s*\{\{\s*\$json\.([A-Za-z_$][\w$]*)\s*\}\}\s*$/.exec(raw) : null;
		if (match) names.push(match[1]);
	}
	return names;
}

function pairsToObject(
	ctx: IExecuteFunctions,
	pairs: Array<{ name: string; value: unknown }>,
	itemIndex: number,
): IDataObject {
	const out: IDataObject = {};
	for (const { name, value } of pairs ?? []) {
		const key = String(name ?? '').trim();
		if (!key)
			throw inputError(
				ctx.getNode(),
				`An attribute in "Attributes" has no name (${itemLabel(itemIndex)})`,
				itemIndex,
				'Give every attribute a name, or remove the empty row.',
			);
		out[key] = value as IDataObject[string];
	}
	return out;
}

function parseAttributesJson(ctx: IExecuteFunctions, value: unknown, itemIndex: number): IDataObject {
	let parsed = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return {};
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw inputError(
				ctx.getNode(),
				`"Attributes (JSON)" is not valid JSON (${itemLabel(itemIndex)}): ${(error as Error).message}`,
				itemIndex,
				'Write a JSON object such as {"firstName": "Ada"}, or map one with an expression.',
			);
		}
	}
	if (parsed === undefined || parsed === null) return {};
	if (typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw inputError(
			ctx.getNode(),
			`"Attributes (JSON)" must be a JSON object, not ${Array.isArray(parsed) ? 'an array' : typeof parsed} (${itemLabel(itemIndex)})`,
			itemIndex,
			'Give an object of attribute names and values, e.g. {"plan": "pro"}.',
		);
	}
	return parsed as IDataObject;
}

function optionalText(ctx: IExecuteFunctions, value: unknown, label: string, itemIndex: number): string | undefined {
	if (
		typeof value === 'string' &&
		value.length > 0 &&
		isPlainAscii(value.charCodeAt(0)) &&
		isPlainAscii(value.charCodeAt(value.length - 1))
	) {
		return value; // nothing to trim: the usual case, without trim()'s copy (bulk work reads 300,000 of these)
	}
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'object') {
		throw inputError(
			ctx.getNode(),
			`"${label}" must be text, not ${Array.isArray(value) ? 'a list' : 'an object'} (${itemLabel(itemIndex)})`,
			itemIndex,
		);
	}
	const text = String(value).trim();
	return text === '' ? undefined : text;
}

/** A printable ASCII character: never white space. */
function isPlainAscii(code: number): boolean {
	return code > 32 && code < 127;
}

function requiredText(ctx: IExecuteFunctions, value: unknown, label: string, itemIndex: number, fix: string): string {
	const text = optionalText(ctx, value, label, itemIndex);
	if (text === undefined)
		throw inputError(ctx.getNode(), `"${label}" is empty (${itemLabel(itemIndex)})`, itemIndex, fix);
	return text;
}

export function textParameter(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
	fix: string,
): string {
	return requiredText(ctx, ctx.getNodeParameter(name, itemIndex, ''), label, itemIndex, fix);
}

export type BulkAction = 'upsert' | 'delete';

/** One input item as an entry of a batch request. */
export interface Entry {
	itemIndex: number;
	action: BulkAction;
	body: IDataObject;
}

/** Bulk's reading of an item: its action (a mapped field may mix both) and its entry. */
export function bulkEntryReader(ctx: IExecuteFunctions, items: INodeExecutionData[]): (itemIndex: number) => Entry {
	const readEntry = userEntryReader(ctx, items);
	const readAction = itemReader(ctx, 'batchAction', items, 'upsert');
	return (i) => {
		const given = readAction(i);
		const action =
			given === 'upsert' || given === 'delete'
				? given
				: String(given ?? '')
						.trim()
						.toLowerCase();
		if (action !== 'upsert' && action !== 'delete') {
			throw inputError(
				ctx.getNode(),
				`"Action" must be "upsert" or "delete", not ${quoted(action)} (${itemLabel(i)})`,
				i,
			);
		}
		return { itemIndex: i, action, body: readEntry(i, action) };
	};
}

/** The longest user id or email an error item repeats (an email has at most 254 characters). */
const MAX_ECHOED_LENGTH = 320;

/**
 * Who an error item is about, for its `userId` and `email` fields: with "On Error: Continue" the error item
 * carries no field of its input, and a sync that files its rejected users needs to know which they were. Read
 * only for the items that failed (a refused item's own fields may be what was wrong: a missing value stays out).
 */
export function itemUserReader(ctx: IExecuteFunctions, items: INodeExecutionData[]) {
	const readId = itemReader(ctx, 'userId', items, '');
	const readEmail = itemReader(ctx, 'email', items, '');
	const text = (read: (i: number) => unknown, i: number): string | undefined => {
		try {
			const value = read(i);
			const given = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
			// an overlong value (a hostile or broken field) is what the error is about: not copied into the item
			return given !== undefined && given.length <= MAX_ECHOED_LENGTH ? given : undefined;
		} catch {
			return undefined;
		}
	};
	return (i: number) => ({ userId: text(readId, i), email: text(readEmail, i) });
}

export interface WaitOptions {
	waitForCompletion: boolean;
	timeoutMs: number;
}

export function readWaitOptions(ctx: IExecuteFunctions, itemIndex: number): WaitOptions {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const timeout = Number(options.timeout ?? 60);
	return {
		waitForCompletion: options.waitForCompletion === true,
		timeoutMs: (Number.isFinite(timeout) && timeout > 0 ? timeout : 60) * 1000,
	};
}
