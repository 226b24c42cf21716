// Email API → Contact: its operations, and their fields behind the Operation selector. Uses the contact operations.
import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/description';
import type { PerItemOperation } from '../../../shared/perItem';
import * as addTags from './addTags';
import * as addToWorkflow from './addToWorkflow';
import { customFieldsProperty } from './customFields';
import * as deleteContact from './delete';
import * as enrolment from './enrolment';
import * as get from './get';
import * as removeFromWorkflow from './removeFromWorkflow';
import * as removeTags from './removeTags';
import * as search from './search';
import * as tags from './tags';
import * as update from './update';
import * as upsert from './upsert';

export const operations: PerItemOperation[] = [
	addTags,
	addToWorkflow,
	upsert,
	deleteContact,
	get,
	removeFromWorkflow,
	removeTags,
	search,
	update,
];

// Add to / Remove From Workflow share their fields (enrolment.ts), Add / Remove Tags theirs (tags.ts); Get shows
// Delete's Contact ID field, then its own.
export const properties: INodeProperties[] = [
	operationSelector('contact', 'upsert', operations),
	...upsert.properties,
	...update.properties,
	customFieldsProperty({ resource: ['contact'], operation: ['upsert', 'update'] }),
	...search.properties,
	...enrolment.properties,
	...tags.properties,
	...deleteContact.properties,
	...get.properties,
];
