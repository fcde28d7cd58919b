/** httptrace/undici with npm undici 7: `request()` and `fetch()` on a dispatcher built on undici 7's Agent. */
import * as undici7 from 'undici7';
import { npmUndiciScenarios } from './helpers/undici-request-client.js';

npmUndiciScenarios('undici 7', undici7);
