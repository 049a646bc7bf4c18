/* Loa service worker, rendered by the server with its precache list (version {{ manifest.version }}).
   The logic lives in sw-core.js; this file changes whenever any page or asset changes. */
import { start } from {{ asset_url('js/sw-core.js') | tojson }};

start({{ manifest | tojson }});
