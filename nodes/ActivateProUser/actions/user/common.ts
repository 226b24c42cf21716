import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { inputError, itemLabel } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { itemReader } from '../../../shared/itemFields';
import { duration, nodeLog } from '../../../shared/log';
import { DEFAULT_POLL_SCHEDULE, pollUntilDone } from '../../../shared/tracking';
import { activateProRequest, answerError } from '../../transport';

/** A wait for processing longer than this is logged at info level (ActivatePro usually takes a second or two). */
const SLOW_TRACKING_MS = 10_000;

// ---------- fields shared by several operations (defined once, shown where they apply) ----------

export const userIdField = (operations: string[], defaultValue = ''): INodeProperties => ({
	displayName: 'User ID',
	name: 'userId',
	type: 'string',
	required: true,
	default: defaultValue,
	placeholder: 'e.g. 31d29083-b3ad-4864-9d0c-dc20a9fa72c8',
	description: 'The user\'s ID in your own database; unique across all business units',
	displayOptions: { show: { operation: operations } },
});

export const emailField = (operations: string[], defaultValue = '', required = true): INodeProperties => ({
	displayName: 'Email',
	name: 'email',
	type: 'string',
	placeholder: 'name@email.com',
	required,
	default: defaultValue,
	displayOptions: { show: { operation: operations } },
});

export const businessUnitField = (operations: string[], defaultValue = ''): INodeProperties => ({
	displayName: 'Business Unit',
	name: 'businessUnit',
	type: 'string',
	default: defaultValue,
	placeholder: 'e.g. DE',
	description: 'Only needed when your ActivatePro account has several business units',
	displayOptions: { show: { operation: operations } },
});

export const attributeFields = (operations: string[]): INodeProperties[] => [
	{
		displayName: 'Custom Attributes',
		name: 'attributeSource',
		type: 'options',
		default: 'json',
		displayOptions: { show: { operation: operations } },
		options: [
			{ name: 'As JSON', value: 'json', description: 'An object of attribute names and values' },
			{ name: 'One by One', value: 'keyValue', description: 'A list of attribute names and values' },
			{
				name: 'All Input Fields',
				value: 'inputFields',
				description: 'Every field of the input item except the ID, email and business unit fields (and the ones you exclude)',
			},
			{ name: 'None', value: 'none' },
		],
	},
	{
		displayName: 'Attributes (JSON)',
		name: 'attributesJson',
		type: 'json',
		default: '{}',
		description: 'Custom attributes as a JSON object, e.g. {"firstName": "Ada", "plan": "pro"}. Each must be defined in ActivatePro.',
		displayOptions: { show: { operation: operations, attributeSource: ['json'] } },
	},
	{
		displayName: 'Attributes',
		name: 'attributesUi',
		type: 'fixedCollection',
		placeholder: 'Add Attribute',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { operation: operations, attributeSource: ['keyValue'] } },
		options: [
			{
				displayName: 'Attribute',
				name: 'attribute',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. firstName' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Fields to Exclude',
		name: 'excludeFields',
		type: 'string',
		default: '',
		placeholder: 'e.g. internalNote, password',
		description: 'Comma-separated input fields not to send as attributes',
		displayOptions: { show: { operation: operations, attributeSource: ['inputFields'] } },
	},
];

export const waitOptions = (operations: string[]): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	displayOptions: { show: { operation: operations } },
	options: [
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: false,
			description:
				'Whether to wait until ActivatePro has processed the request (it works asynchronously) and output its result: stage, total, success and error counts',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			description: 'How long to wait for completion before failing with the tracking ID to check later',
		},
	],
});

// ---------- reading and checking input ----------

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const RESERVED_FIELDS = ['id', 'email', 'businessUnit'];

export type Reader = (itemIndex: number) => unknown;

/** Reads the user fields of every item, fast where the parameters allow it (see itemReader). */
export interface UserFieldReaders {
	userId: Reader;
	email: Reader;
	businessUnit: Reader;
	attributes: (itemIndex: number) => IDataObject;
}

export function userFieldReaders(ctx: IExecuteFunctions, items: INodeExecutionData[], withAttributes: boolean): UserFieldReaders {
	return {
		userId: itemReader(ctx, 'userId', items),
		email: itemReader(ctx, 'email', items),
		businessUnit: itemReader(ctx, 'businessUnit', items),
		attributes: withAttributes ? attributeReader(ctx, items) : () => ({}),
	};
}

function attributeReader(ctx: IExecuteFunctions, items: INodeExecutionData[]): (itemIndex: number) => IDataObject {
	const source = ctx.getNodeParameter('attributeSource', 0, 'json') as string;
	if (source === 'none') return () => ({});
	if (source === 'json') {
		const read = itemReader(ctx, 'attributesJson', items, '{}');
		return (i) => parseAttributesJson(ctx, read(i), i);
	}
	if (source === 'keyValue') {
		const raw = ctx.getNode().parameters.attributesUi;
		const readPairs = (i: number) => ctx.getNodeParameter('attributesUi.attribute', i, []) as Array<{ name: string; value: unknown }>;
		const fixed = hasExpression(raw) || items.length === 0 ? undefined : pairsToObject(ctx, readPairs(0), 0);
		return (i) => (fixed ? { ...fixed } : pairsToObject(ctx, readPairs(i), i));
	}
	// All input fields, less the ones that carry the id, email and business unit and the excluded ones.
	const excluded = new Set([...RESERVED_FIELDS, ...mappedFieldNames(ctx)]);
	for (const name of String(ctx.getNodeParameter('excludeFields', 0, '')).split(',')) if (name.trim()) excluded.add(name.trim());
	return (i) => {
		const out: IDataObject = {};
		for (const [key, value] of Object.entries(items[i].json)) if (!excluded.has(key)) out[key] = value;
		return out;
	};
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

function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

function pairsToObject(ctx: IExecuteFunctions, pairs: Array<{ name: string; value: unknown }>, itemIndex: number): IDataObject {
	const out: IDataObject = {};
	for (const { name, value } of pairs ?? []) {
		const key = String(name ?? '').trim();
		if (!key) throw inputError(ctx.getNode(), `An attribute in "Attributes" has no name (${itemLabel(itemIndex)})`, itemIndex, 'Give every attribute a name, or remove the empty row.');
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

/** A user entry as the API takes it, or a NodeOperationError naming the item and the field. */
/**
 * A user entry as the API takes it, or a NodeOperationError naming the item and the field. Runs once per item
 * on bulk work, so the node (which n8n copies on every getNode()) is only fetched to report an error.
 */
export function buildUserEntry(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fields: { userId: unknown; email: unknown; businessUnit: unknown; attributes: IDataObject },
	requireEmail = true,
): IDataObject {
	const id = requiredText(ctx, fields.userId, 'User ID', itemIndex, 'Set "User ID" to the user\'s ID, e.g. {{ $json.id }}.');
	const entry: IDataObject = { id };
	const email = optionalText(ctx, fields.email, 'Email', itemIndex);
	if (email === undefined) {
		if (requireEmail) throw inputError(ctx.getNode(), `"Email" is empty (${itemLabel(itemIndex)})`, itemIndex, 'ActivatePro needs an email with every user: set "Email", e.g. {{ $json.email }}.');
	} else {
		if (!EMAIL_RE.test(email)) {
			throw inputError(ctx.getNode(), `"Email" is not a valid email address: "${email}" (${itemLabel(itemIndex)})`, itemIndex, 'Use an address like name@example.com.');
		}
		entry.email = email;
	}
	const businessUnit = optionalText(ctx, fields.businessUnit, 'Business Unit', itemIndex);
	if (businessUnit !== undefined) entry.businessUnit = businessUnit;
	for (const [key, value] of Object.entries(fields.attributes)) {
		if (RESERVED_FIELDS.includes(key)) {
			throw inputError(
				ctx.getNode(),
				`The custom attributes contain "${key}" (${itemLabel(itemIndex)})`,
				itemIndex,
				`"${key}" is set by its own field; remove it from the attributes.`,
			);
		}
		entry[key] = value;
	}
	return entry;
}

function optionalText(ctx: IExecuteFunctions, value: unknown, label: string, itemIndex: number): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'object') {
		throw inputError(ctx.getNode(), `"${label}" must be text, not ${Array.isArray(value) ? 'a list' : 'an object'} (${itemLabel(itemIndex)})`, itemIndex);
	}
	const text = String(value).trim();
	return text === '' ? undefined : text;
}

function requiredText(ctx: IExecuteFunctions, value: unknown, label: string, itemIndex: number, fix: string): string {
	const text = optionalText(ctx, value, label, itemIndex);
	if (text === undefined) throw inputError(ctx.getNode(), `"${label}" is empty (${itemLabel(itemIndex)})`, itemIndex, fix);
	return text;
}

export function textParameter(ctx: IExecuteFunctions, name: string, label: string, itemIndex: number, fix: string): string {
	return requiredText(ctx, ctx.getNodeParameter(name, itemIndex, ''), label, itemIndex, fix);
}

// ---------- request tracking ----------

export interface TrackingStatus extends IDataObject {
	stage: string;
	total: number;
	success: number;
	error: number;
}

export interface WaitOptions {
	waitForCompletion: boolean;
	timeoutMs: number;
}

export function readWaitOptions(ctx: IExecuteFunctions, itemIndex: number): WaitOptions {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const timeout = Number(options.timeout ?? 60);
	return { waitForCompletion: options.waitForCompletion === true, timeoutMs: (Number.isFinite(timeout) && timeout > 0 ? timeout : 60) * 1000 };
}

export const TRACKING_EXPIRED = 'unknown or expired (tracking ids live 24 hours)';

/** GET /users/track/{id}: the status, or a clear error for an unknown or expired id. */
export async function fetchTracking(ctx: IExecuteFunctions, trackingId: string, itemIndex?: number): Promise<TrackingStatus> {
	const answer = await activateProRequest(ctx, 'GET', `/users/track/${encodePathSegment(trackingId)}`, undefined, itemIndex);
	if (answer.statusCode !== 200) {
		throw answerError(ctx.getNode(), answer, {
			itemIndex,
			action: 'read the request status',
			notFound: `Tracking ID ${trackingId} is ${TRACKING_EXPIRED}`,
		});
	}
	const body = (answer.body ?? {}) as IDataObject;
	return { stage: String(body.stage ?? ''), total: Number(body.total ?? 0), success: Number(body.success ?? 0), error: Number(body.error ?? 0) };
}

/**
 * Waits for several tracking ids together. Returns the final status of each; throws when the timeout passes
 * (naming the ids still pending, to check later with "Get Request Status").
 */
export async function waitForTrackings(
	ctx: IExecuteFunctions,
	trackingIds: string[],
	timeoutMs: number,
	itemIndex?: number,
): Promise<Map<string, TrackingStatus>> {
	const log = nodeLog(ctx);
	const result = await pollUntilDone<TrackingStatus>(
		trackingIds,
		async (id) => {
			const status = await fetchTracking(ctx, id, itemIndex);
			return { done: status.stage === 'PROCESSED', value: status };
		},
		{ ...DEFAULT_POLL_SCHEDULE, timeoutMs },
		undefined,
		({ finished, total, elapsedMs, rounds }) => {
			// Routine waits stay at debug; one that takes long is worth a line at info.
			const line = `tracking ${trackingIds.join(', ')}: ${finished} of ${total} processed after ${rounds} polls, ${duration(elapsedMs)}`;
			if (elapsedMs >= SLOW_TRACKING_MS && finished < total) log.info(line);
			else log.debug(line);
		},
	);
	if (result.unfinished.size > 0) {
		const ids = [...result.unfinished.keys()];
		log.warn(`tracking ${ids.join(', ')} still pending after ${duration(result.waitedMs)}: giving up the wait (the request may still complete)`);
		throw inputError(
			ctx.getNode(),
			`ActivatePro had not finished after ${Math.round(timeoutMs / 1000)} s; still pending: tracking ID ${ids.join(', ')}`,
			itemIndex ?? 0,
			'The request was accepted and may still complete. Check it later with the "Get Request Status" operation (tracking ids live 24 hours), or raise "Timeout (Seconds)".',
		);
	}
	return result.finished;
}
