// ActivatePro User node's parameters: the resource, and its operations and fields. Uses the user resource.
import type { INodeProperties } from 'n8n-workflow';

import { resourceSelector } from '../../shared/description';
import * as user from './user';

// One resource, spelled out: n8n names a tool after the resource's operation ("Get a user by ID in ActivatePro
// User"); without a resource every tool made from this node gets the node's own description, whatever it does.
export const properties: INodeProperties[] = [
	resourceSelector('user', [{ name: 'User', value: 'user' }]),
	...user.properties,
];
