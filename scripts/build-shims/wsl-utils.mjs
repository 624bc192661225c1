// What oclif takes from wsl-utils (util/os.js: isWsl while it loads its config, powerShellPath on Windows
// only), for the CLI bundle (scripts/build.mjs): wsl-utils itself loads child_process when imported.
// isWsl is is-wsl's own answer, which is what wsl-utils exports.
export {default as isWsl} from 'is-wsl'
export const powerShellPath = async () => (await import('wsl-utils')).powerShellPath()
