// ActivatePro → User: every field of the resource, built for one operation, and the parameter list they make. Uses
// shared/description.
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { fieldCollection } from '../../../shared/description';

type Show = NonNullable<IDisplayOptions['show']>;

/** A field as an operation declares it: shown for that operation. */
export type FieldBuilder = (operation: string) => INodeProperties;

// Where each built field stands in the node's parameters: the place of its builder. A field several operations
// declare is one parameter shown for all of them (parametersOf), so its place cannot come from any one operation.
const placeOf = new WeakMap<INodeProperties, number>();
let builders = 0;

/** A field builder; n8n shows the fields in the order their builders are made in this file (keep it). */
function field(make: (show: Show) => INodeProperties): FieldBuilder {
	const place = builders++;
	return (operation) => {
		const made = make({ operation: [operation] });
		placeOf.set(made, place);
		return made;
	};
}

/**
 * The parameters of the operations' fields: one per builder, shown for every operation that declares it (in the
 * operations' order), in the order of the builders.
 */
export function parametersOf(operations: Array<{ properties: INodeProperties[] }>): INodeProperties[] {
	const byPlace = new Map<number, INodeProperties>();
	for (const { properties } of operations) {
		for (const made of properties) {
			const place = placeOf.get(made);
			if (place === undefined) throw new Error(`internal: the field "${made.name}" is not built in fields.ts`);
			const show = made.displayOptions!.show!;
			const shared = byPlace.get(place);
			if (shared) (shared.displayOptions!.show!.operation as string[]).push(...(show.operation as string[]));
			else byPlace.set(place, { ...made, displayOptions: { show: { ...show, operation: [...show.operation!] } } });
		}
	}
	return [...byPlace.entries()].sort(([a], [b]) => a - b).map(([, parameter]) => parameter);
}

// ---------- the fields, in the order n8n shows them ----------

export const batchActionField = field((show) => ({
	displayName: 'Action',
	name: 'batchAction',
	type: 'options',
	default: 'upsert',
	description: 'What to do with the user of each input item. Map a field with an expression to mix both in one run.',
	displayOptions: { show },
	options: [
		{ name: 'Create or Update', value: 'upsert' },
		{ name: 'Delete', value: 'delete' },
	],
}));

const userId = (show: Show, defaultValue: string): INodeProperties => ({
	displayName: 'User ID',
	name: 'userId',
	type: 'string',
	required: true,
	default: defaultValue,
	placeholder: 'e.g. 31d29083-b3ad-4864-9d0c-dc20a9fa72c8',
	description: "The user's ID in your own database; unique across all business units",
	displayOptions: { show },
});

export const userIdField = field((show) => userId(show, ''));

export const ifNotFoundField = field((show) => ({
	displayName: 'If Not Found',
	name: 'ifNotFound',
	type: 'options',
	default: 'error',
	description: 'What to do when ActivatePro has no user with this ID',
	displayOptions: { show },
	options: [
		{ name: 'Fail the Item', value: 'error' },
		{
			name: 'Output an Empty Item',
			value: 'empty',
			description:
				'Output {} and go on, e.g. a flow that reads the profile first to see whether it exists (a new user has none)',
		},
	],
}));

/** Bulk's User ID: read from each item by default. */
export const itemUserIdField = field((show) => userId(show, '={{ $json.id }}'));

const email = (show: Show, defaultValue: string, required: boolean): INodeProperties => ({
	displayName: 'Email',
	name: 'email',
	type: 'string',
	placeholder: 'name@email.com',
	required,
	default: defaultValue,
	displayOptions: { show },
});

export const emailField = field((show) => email(show, '', true));

/** Bulk's Email: read from each item by default; a delete needs none. */
export const itemEmailField = field((show) => email(show, '={{ $json.email }}', false));

export const businessUnitField = field((show) => ({
	displayName: 'Business Unit',
	name: 'businessUnit',
	type: 'string',
	default: '',
	placeholder: 'e.g. DE',
	description: 'Only needed when your ActivatePro account has several business units',
	displayOptions: { show },
}));

const attributeSourceField = field((show) => ({
	displayName: 'Custom Attributes',
	name: 'attributeSource',
	type: 'options',
	default: 'json',
	displayOptions: { show },
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
}));

const attributesJsonField = field((show) => ({
	displayName: 'Attributes (JSON)',
	name: 'attributesJson',
	type: 'json',
	default: '{}',
	description:
		'Custom attributes as a JSON object, e.g. {"firstName": "Ada", "plan": "pro"}. Each must be defined in ActivatePro.',
	displayOptions: { show: { ...show, attributeSource: ['json'] } },
}));

const attributesUiField = field((show) => ({
	displayName: 'Attributes',
	name: 'attributesUi',
	type: 'fixedCollection',
	placeholder: 'Add Attribute',
	typeOptions: { multipleValues: true },
	default: {},
	displayOptions: { show: { ...show, attributeSource: ['keyValue'] } },
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
}));

const excludeFieldsField = field((show) => ({
	displayName: 'Fields to Exclude',
	name: 'excludeFields',
	type: 'string',
	default: '',
	placeholder: 'e.g. internalNote, password',
	description: 'Comma-separated input fields not to send as attributes',
	displayOptions: { show: { ...show, attributeSource: ['inputFields'] } },
}));

/** The custom attributes of a user entry: where they come from, and each source's field (read in input.ts). */
export const attributeFields = (operation: string): INodeProperties[] =>
	[attributeSourceField, attributesJsonField, attributesUiField, excludeFieldsField].map((make) => make(operation));

export const trackingIdField = field((show) => ({
	displayName: 'Tracking ID',
	name: 'trackingId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 2e312089-a987-45c6-adbd-b904bc4dfc97',
	description: 'The ID a create, update, delete or batch request returned; it can be checked for 24 hours',
	displayOptions: { show },
}));

/** Read as maxWaitMs() in shared/waits.ts: every wait of a request (Retry-After, retries' backoff) within it. */
const maxWaitOption: INodeProperties = {
	displayName: 'Max Wait per Request (Seconds)',
	name: 'maxWait',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 60, // DEFAULT_MAX_WAIT_MS
	description:
		'The longest the node waits for one request: when ActivatePro asks it to slow down (Retry-After) and between retries. A longer wait asked for fails the item at once, saying how long, instead of stalling the workflow.',
};

/** The Options of the operations that change users: the wait for completion (read in input.ts) and the wait cap. */
export const waitOptions = field((show) =>
	fieldCollection('options', show, [
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
	]),
);

/** The Options of the operations that only read: the wait cap alone. */
export const requestOptions = field((show) => fieldCollection('options', show, [maxWaitOption]));
