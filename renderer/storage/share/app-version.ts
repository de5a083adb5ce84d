/** The app's version as written into exported files (package.json is the single source). */
import pkg from '../../../package.json' with { type: 'json' };

export const APP_VERSION: string = pkg.version;
