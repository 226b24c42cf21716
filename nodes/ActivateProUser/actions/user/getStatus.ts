// ActivatePro → User → Get Request Status: GET /users/track/{trackingId}, with its fields. Uses tracking, input, fields.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { fetchTracking } from '../../tracking';
import { requestOptions, trackingIdField } from './fields';
import { textParameter } from './input';

export const properties: INodeProperties[] = [trackingIdField('getStatus'), requestOptions('getStatus')];

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
