// ActivatePro User's parameters: resource, operation and every operation's fields, in order. Uses the user actions.
import type { INodeProperties } from 'n8n-workflow';

import { operationSelector, resourceSelector } from '../../../shared/description';
import * as batch from './batch';
import { attributeFields, businessUnitField, emailField, requestOptions, userIdField, waitOptions } from './common';
import * as del from './delete';
import * as get from './get';
import * as getByEmail from './getByEmail';
import * as getStatus from './getStatus';
import * as upsert from './upsert';

// One resource, spelled out: n8n names a tool after the resource's operation ("Get a user by ID in ActivatePro
// User"); without a resource every tool made from this node gets the node's own description, whatever it does.
export const properties: INodeProperties[] = [
	resourceSelector('user', [{ name: 'User', value: 'user' }]),
	operationSelector('user', 'upsert', [batch, del, get, getByEmail, getStatus, upsert]),
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
