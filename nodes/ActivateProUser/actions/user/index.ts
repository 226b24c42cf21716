// ActivatePro User's parameters: resource, operation and every operation's fields, in order. Uses the user actions.
import type { INodeProperties } from 'n8n-workflow';

import * as batch from './batch';
import { attributeFields, businessUnitField, emailField, requestOptions, userIdField, waitOptions } from './common';
import * as get from './get';
import * as getStatus from './getStatus';

// One resource, spelled out: n8n names a tool after the resource's operation ("Get a user by ID in ActivatePro
// User"); without a resource every tool made from this node gets the node's own description, whatever it does.
export const resourceField: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	default: 'user',
	options: [{ name: 'User', value: 'user' }],
};

export const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'upsert',
	displayOptions: { show: { resource: ['user'] } },
	options: [
		{
			name: 'Create or Update',
			value: 'upsert',
			action: 'Create or update a user',
			description: 'Create a new record, or update the current one if it already exists (upsert)',
		},
		{
			name: 'Create, Update or Delete in Bulk',
			value: 'batch',
			action: 'Create update or delete users in bulk',
			description: 'Send every input item as one entry, 1000 per request',
		},
		{ name: 'Delete', value: 'delete', action: 'Delete a user by ID' },
		{ name: 'Get', value: 'get', action: 'Get a user by ID' },
		{ name: 'Get by Email', value: 'getByEmail', action: 'Get a user by email' },
		{
			name: 'Get Request Status',
			value: 'getStatus',
			action: 'Get the status of a request by tracking ID',
			description: 'Read request tracking for a tracking ID (kept 24 hours)',
		},
	],
};

export const properties: INodeProperties[] = [
	resourceField,
	operationField,
	...batch.properties,
	userIdField(['get', 'upsert', 'delete']),
	...get.properties,
	userIdField(['batch'], '={{ $json.id }}'),
	emailField(['getByEmail', 'upsert']),
	emailField(['batch'], '={{ $json.email }}', false),
	businessUnitField(['getByEmail', 'upsert', 'batch']),
	...attributeFields(['upsert', 'batch']),
	...getStatus.properties,
	waitOptions(['upsert', 'delete', 'batch']),
	requestOptions(['get', 'getByEmail', 'getStatus']),
];
