// Email API → User: the fields several user operations share (ID, role, profile). Uses the Show type of common.
import type { INodeProperties } from 'n8n-workflow';

import type { Show } from '../common';

export const userIdField = (show: Show): INodeProperties => ({
	displayName: 'User ID',
	name: 'userId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 0IHuJvc2ofPAAA8GzTRi',
	description: 'The Email API user ID (the ID a Create returns)',
	displayOptions: { show },
});

const ROLE_OPTIONS = [
	{ name: 'Admin', value: 'admin' },
	{ name: 'User', value: 'user' },
];

export const roleField = (show: Show): INodeProperties => ({
	displayName: 'Role',
	name: 'role',
	type: 'options',
	required: true,
	default: 'user',
	options: ROLE_OPTIONS,
	displayOptions: { show },
});

/** Profile fields that create (Additional Fields) and update (Update Fields) both offer. */
export const profileFieldOptions: INodeProperties[] = [
	{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
	{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
	{
		displayName: 'Location IDs',
		name: 'locationIds',
		type: 'string',
		default: '',
		description: 'Comma-separated sub-accounts the user may access',
	},
	{
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
	},
	{
		displayName: 'Permissions (JSON)',
		name: 'permissionsJson',
		type: 'json',
		default: '{}',
		description: 'For example {"workflowsEnabled": true, "contactsEnabled": true}',
	},
	{ displayName: 'Phone', name: 'phone', type: 'string', default: '', placeholder: '+18832327657' },
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		default: 'account',
		options: [
			{ name: 'Account (Sub-Account User)', value: 'account' },
			{ name: 'Agency', value: 'agency' },
		],
	},
];

/** The same options with a description of their own for one operation. */
export function describe(options: INodeProperties[], descriptions: Record<string, string>): INodeProperties[] {
	return options.map((option) =>
		descriptions[option.name] ? { ...option, description: descriptions[option.name] } : option,
	);
}

export { ROLE_OPTIONS };
