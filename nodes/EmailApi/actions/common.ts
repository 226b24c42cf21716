// Email API: fields and input checks several operations share (location, workflow, limits). Uses shared/, the
// settings type of transport. (First and last name: fullName.ts.)
import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError, itemLabel } from '../../shared/errors';
import { readItemParameter } from '../../shared/itemFields';
import { quoted } from '../../shared/text';
import { isEmailAddress } from '../emailAddress';
import type { EmailApiSettings } from '../transport';

/** The `show` part of displayOptions, e.g. { resource: ['user'], operation: ['create'] }. */
export type Show = NonNullable<IDisplayOptions['show']>;

/** The Email and Full Name fields of a create (user) or create-or-update (contact); the options they differ in. */
export function emailAndNameFields(
	show: Show,
	differ: { emailRequired: boolean; emailDescription?: string; fullNameDescription?: string },
): INodeProperties[] {
	return [
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			...(differ.emailRequired ? { required: true } : {}),
			default: '',
			...(differ.emailDescription ? { description: differ.emailDescription } : {}),
			displayOptions: { show },
		},
		{
			displayName: 'Full Name',
			name: 'fullName',
			type: 'string',
			default: '',
			placeholder: 'e.g. Ada Lovelace',
			...(differ.fullNameDescription ? { description: differ.fullNameDescription } : {}),
			displayOptions: { show },
		},
	];
}

/** Location for operations that need one; empty means the credential's (or the OAuth token's) location. */
export const locationField = (show: Show): INodeProperties => ({
	displayName: 'Location ID',
	name: 'locationId',
	type: 'string',
	default: '',
	placeholder: "Leave empty to use the credential's location",
	description:
		'The sub-account (location). Empty: the location from the credential, or the one the OAuth app was installed on.',
	displayOptions: { show },
});

export const returnAllFields = (show: Show): INodeProperties[] => [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...show, returnAll: [false] } },
	},
];

export const workflowLocator = (show: Show): INodeProperties => ({
	displayName: 'Workflow',
	name: 'workflowId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		'The workflow that sends the email (e.g. "Welcome" or "Re-engagement"). By Name finds it by its exact name when the node runs.',
	displayOptions: { show },
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a workflow...',
			typeOptions: { searchListMethod: 'searchWorkflows', searchable: true },
		},
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'e.g. 78559bb3-b920-461e-b010-7b2a2816d2a9' },
		// Found at run time, so that a workflow imported into another account finds that account's "Welcome".
		{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. Welcome' },
	],
});

export function locationOf(ctx: IExecuteFunctions, settings: EmailApiSettings, itemIndex: number): string {
	const given = String(ctx.getNodeParameter('locationId', itemIndex, '') ?? '').trim();
	const locationId = given || settings.locationId;
	if (!locationId) {
		throw inputError(
			ctx.getNode(),
			`No location ID (${itemLabel(itemIndex)})`,
			itemIndex,
			'Set "Location ID" on the node, or a Location ID in the credential (OAuth2 credentials take it from the token).',
		);
	}
	return locationId;
}

export function requiredText(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
	fix?: string,
): string {
	const value = readItemParameter(ctx, name, itemIndex);
	const text = value === undefined || value === null || typeof value === 'object' ? '' : String(value).trim();
	if (!text) throw inputError(ctx.getNode(), `"${label}" is empty (${itemLabel(itemIndex)})`, itemIndex, fix);
	return text;
}

export function checkEmail(ctx: IExecuteFunctions, email: string, itemIndex: number, label = 'Email'): string {
	if (!isEmailAddress(email)) {
		throw inputError(
			ctx.getNode(),
			`"${label}" is not a valid email address: ${quoted(email)} (${itemLabel(itemIndex)})`,
			itemIndex,
			'Use an address like name@example.com.',
		);
	}
	return email;
}

export function parseJsonParameter(
	ctx: IExecuteFunctions,
	value: unknown,
	label: string,
	itemIndex: number,
	kind: 'object' | 'array',
): IDataObject | IDataObject[] {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value || (kind === 'array' ? '[]' : '{}'));
		} catch (error) {
			throw inputError(
				ctx.getNode(),
				`"${label}" is not valid JSON (${itemLabel(itemIndex)}): ${(error as Error).message}`,
				itemIndex,
			);
		}
	}
	const ok =
		kind === 'array' ? Array.isArray(parsed) : parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
	if (!ok) throw inputError(ctx.getNode(), `"${label}" must be a JSON ${kind} (${itemLabel(itemIndex)})`, itemIndex);
	return parsed as IDataObject | IDataObject[];
}

export function commaList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
	return String(value ?? '')
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
}
