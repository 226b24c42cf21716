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
