// Email API node's parameters: authentication, resources, operations and every operation's fields. Uses the operations.
import type { INodeProperties } from 'n8n-workflow';

import * as deleteContact from './contact/delete';
import * as enrolment from './contact/enrolment';
import * as upsertContact from './contact/upsert';
import * as importCourses from './course/import';
import * as createUser from './user/create';
import * as deleteUser from './user/delete';
import * as getUser from './user/get';
import * as getManyUsers from './user/getMany';
import * as updateUser from './user/update';
import * as getManyWorkflows from './workflow/getMany';

export const properties: INodeProperties[] = [
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [
			{ name: 'API Key (Private Integration)', value: 'apiKey' },
			{ name: 'Rankr OAuth2', value: 'oAuth2' },
		],
		default: 'apiKey',
	},
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		default: 'user',
		options: [
			{ name: 'Contact', value: 'contact' },
			{ name: 'Course', value: 'course' },
			{ name: 'User', value: 'user' },
			{ name: 'Workflow', value: 'workflow' },
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'create',
		displayOptions: { show: { resource: ['user'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a user',
				description: 'Create a user (duplicate-safe when the answer is lost)',
			},
			{ name: 'Delete', value: 'delete', action: 'Delete a user by ID' },
			{ name: 'Get', value: 'get', action: 'Get a user by ID' },
			{ name: 'Get Many', value: 'getMany', action: 'Get many users', description: 'List the users of a location' },
			{ name: 'Update', value: 'update', action: 'Update a user by ID' },
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'getMany',
		displayOptions: { show: { resource: ['workflow'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many workflows',
				description: "List the location's workflows with their ID and name",
			},
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'upsert',
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{
				name: 'Add to Workflow',
				value: 'addToWorkflow',
				action: 'Add a contact to a workflow',
				description:
					'Start a workflow, e.g. a welcome or re-engagement email (never repeated by a retry: a workflow that allows re-entry would start again)',
			},
			{
				name: 'Create or Update',
				value: 'upsert',
				action: 'Create or update a contact',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
			},
			{ name: 'Delete', value: 'delete', action: 'Delete a contact by ID' },
			{ name: 'Get', value: 'get', action: 'Get a contact by ID', description: 'Read a contact by ID, with its tags' },
			{ name: 'Remove From Workflow', value: 'removeFromWorkflow', action: 'Remove a contact from a workflow' },
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'import',
		displayOptions: { show: { resource: ['course'] } },
		options: [{ name: 'Import', value: 'import', action: 'Import courses' }],
	},
	...createUser.properties,
	...getUser.properties,
	...getManyUsers.properties,
	...updateUser.properties,
	...deleteUser.properties,
	...getManyWorkflows.properties,
	...upsertContact.properties,
	...enrolment.properties,
	...deleteContact.properties,
	...importCourses.properties,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				// read as maxWaitMs() in shared/waits.ts
				displayName: 'Max Wait per Request (Seconds)',
				name: 'maxWait',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				description:
					"The longest the node waits for one request: for the API's rate limit (Retry-After, its X-RateLimit headers) and between retries. A longer wait asked for fails the item at once, saying how long, instead of stalling the workflow.",
			},
		],
	},
];
