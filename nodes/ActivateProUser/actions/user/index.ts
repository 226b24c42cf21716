import type { INodeProperties } from 'n8n-workflow';

import * as batch from './batch';
import { attributeFields, businessUnitField, emailField, userIdField, waitOptions } from './common';
import * as get from './get';
import * as getStatus from './getStatus';

export const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'upsert',
	options: [
		{ name: 'Create or Update', value: 'upsert', action: 'Create or update a user', description: 'Create a new record, or update the current one if it already exists (upsert)' },
		{ name: 'Create, Update or Delete in Bulk', value: 'batch', action: 'Create update or delete users in bulk', description: 'Send every input item as one entry, 1000 per request' },
		{ name: 'Delete', value: 'delete', action: 'Delete a user' },
		{ name: 'Get', value: 'get', action: 'Get a user by ID' },
		{ name: 'Get by Email', value: 'getByEmail', action: 'Get a user by email' },
		{ name: 'Get Request Status', value: 'getStatus', action: 'Get the status of a request', description: 'Read request tracking for a tracking ID (kept 24 hours)' },
	],
};

export const properties: INodeProperties[] = [
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
];
