// Email API node's parameters: authentication, resource, each resource's operations and fields. Uses the resources.
import type { INodeProperties } from 'n8n-workflow';

import { authenticationSelector, fieldCollection, resourceSelector } from '../../shared/description';
import * as contact from './contact';
import * as course from './course';
import * as user from './user';
import * as workflow from './workflow';

export const properties: INodeProperties[] = [
	authenticationSelector('apiKey', [
		{ name: 'API Key (Private Integration)', value: 'apiKey' },
		{ name: 'OAuth2 (HighLevel App)', value: 'oAuth2' },
	]),
	resourceSelector('user', [
		{ name: 'Contact', value: 'contact' },
		{ name: 'Course', value: 'course' },
		{ name: 'User', value: 'user' },
		{ name: 'Workflow', value: 'workflow' },
	]),
	...user.properties,
	...workflow.properties,
	...contact.properties,
	...course.properties,
	fieldCollection('options', undefined, [
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
	]),
];
