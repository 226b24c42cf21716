// ActivatePro → User: the fields, input reading and tracking several operations share. Uses transport, shared/.
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fieldCollection } from '../../../shared/description';
import { inputError, itemLabel } from '../../../shared/errors';
import { encodePathSegment } from '../../../shared/http';
import { hasExpression, itemReader } from '../../../shared/itemFields';
import { duration, nodeLog } from '../../../shared/log';
import { looksLikeEmail, quoted } from '../../../shared/text';
import { DEFAULT_POLL_SCHEDULE, pollUntilDone, stopAtDeadline, type PollState } from '../../../shared/tracking';
import { pastDeadlineText } from '../../../shared/waits';
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
	description: "The user's ID in your own database; unique across all business units",
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
				description:
					'Every field of the input item except the ID, email and business unit fields (and the ones you exclude)',
			},
			{ name: 'None', value: 'none' },
		],
	},
	{
		displayName: 'Attributes (JSON)',
		name: 'attributesJson',
		type: 'json',
		default: '{}',
		description:
			'Custom attributes as a JSON object, e.g. {"firstName": "Ada", "plan": "pro"}. Each must be defined in ActivatePro.',
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

/** The Options collection of the given operations. */
const optionsOf = (operations: string[], options: INodeProperties[]): INodeProperties =>
	fieldCollection('options', { operation: operations }, options);

export const waitOptions = (operations: string[]): INodeProperties =>
	optionsOf(operations, [
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
			description:
				'How long to wait for completion before failing with the tracking ID to check later. It bounds the status checks too: their rate-limit waits and retries never run past it.',
		},
		maxWaitOption,
	]);

/** Read as maxWaitMs() in shared/waits.ts: every wait of a request (Retry-After, retries' backoff) within it. */
export const maxWaitOption: INodeProperties = {
	displayName: 'Max Wait per Request (Seconds)',
	name: 'maxWait',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 60, // DEFAULT_MAX_WAIT_MS
	description:
		'The longest the node waits for one request: when ActivatePro asks it to slow down (Retry-After) and between retries. A longer wait asked for fails the item at once, saying how long, instead of stalling the workflow.',
};

/** The Options of the operations that only read: the wait cap alone. */
export const requestOptions = (operations: string[]): INodeProperties => optionsOf(operations, [maxWaitOption]);

// ---------- reading and checking input ----------

const RESERVED_FIELDS = ['id', 'email', 'businessUnit'];

/**
 * Builds the API entry of an item's user in one pass: id, email, business unit and attributes written straight
 * into the entry (bulk work runs this 100,000 times a run). A delete entry carries the id and, if given, the
 * email. Throws a NodeOperationError naming the item and the field.
 */
export type UserEntryReader = (itemIndex: number, action?: 'upsert' | 'delete') => IDataObject;

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
	return {
		waitForCompletion: options.waitForCompletion === true,
		timeoutMs: (Number.isFinite(timeout) && timeout > 0 ? timeout : 60) * 1000,
	};
}

export const TRACKING_EXPIRED = 'unknown or expired (tracking ids live 24 hours)';

/**
 * GET /users/track/{id}: the status, or a clear error for an unknown or expired id. With a deadline (a wait for
 * completion), no wait of the request passes it: one that would throws WaitRefused 'deadline' (see pollUntilDone).
 */
export async function fetchTracking(
	ctx: IExecuteFunctions,
	trackingId: string,
	itemIndex?: number,
	deadline?: number,
): Promise<TrackingStatus> {
	const answer = await activateProRequest(
		ctx,
		'GET',
		`/users/track/${encodePathSegment(trackingId)}`,
		undefined,
		itemIndex,
		{ deadline },
	);
	if (answer.statusCode !== 200) {
		throw answerError(ctx.getNode(), answer, {
			itemIndex,
			action: 'read the request status',
			notFound: `Tracking ID ${trackingId} is ${TRACKING_EXPIRED}`,
		});
	}
	const body = (answer.body ?? {}) as IDataObject;
	return {
		stage: String(body.stage ?? ''),
		total: Number(body.total ?? 0),
		success: Number(body.success ?? 0),
		error: Number(body.error ?? 0),
	};
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
		(id, deadline) =>
			fetchTracking(ctx, id, itemIndex, deadline).then(
				(status): PollState<TrackingStatus> => ({ done: status.stage === 'PROCESSED', value: status }),
				(error: unknown) => stopAtDeadline<TrackingStatus>(error),
			),
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
		log.warn(
			`tracking ${ids.join(', ')} still pending after ${duration(result.waitedMs)}: giving up the wait (the request may still complete)`,
		);
		// Stopped early: the next check would have waited past the Timeout (a Retry-After, a retry's backoff).
		const early = result.stoppedBy ? ` (${pastDeadlineText('ActivatePro', result.stoppedBy)})` : '';
		throw inputError(
			ctx.getNode(),
			`ActivatePro had not finished ${early ? `within the ${Math.round(timeoutMs / 1000)} s Timeout${early}` : `after ${Math.round(timeoutMs / 1000)} s`}; still pending: tracking ID ${ids.join(', ')}`,
			itemIndex ?? 0,
			'The request was accepted and may still complete. Check it later with the "Get Request Status" operation (tracking ids live 24 hours), or raise "Timeout (Seconds)".',
		);
	}
	return result.finished;
}
