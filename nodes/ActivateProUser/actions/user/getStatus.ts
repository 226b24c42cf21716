// ActivatePro → User → Get Request Status: GET /users/track/{trackingId}, with its field. Uses common.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { fetchTracking, textParameter } from './common';

export const properties: INodeProperties[] = [
	{
		displayName: 'Tracking ID',
		name: 'trackingId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 2e312089-a987-45c6-adbd-b904bc4dfc97',
		description: 'The ID a create, update, delete or batch request returned; it can be checked for 24 hours',
		displayOptions: { show: { operation: ['getStatus'] } },
	},
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Get Request Status',
	value: 'getStatus',
	action: 'Get the status of a request by tracking ID',
	description: 'Read request tracking for a tracking ID (kept 24 hours)',
};

/** GET /users/track/{trackingId} */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const trackingId = textParameter(
		this,
		'trackingId',
		'Tracking ID',
		itemIndex,
		'Map the trackingId of an earlier request, e.g. {{ $json.trackingId }}.',
	);
	return { trackingId, ...(await fetchTracking(this, trackingId, itemIndex)) };
}
