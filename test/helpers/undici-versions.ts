/** Which npm undici majors run on this Node, for the tests that use them. */

/** npm undici 8 needs Node 22.19 or later (its `engines`; on Node 20 loading it throws). */
export const undici8Runs: boolean = (() => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 19);
})();

/** The major of the undici bundled with this Node (6 on Node 20/22, 7 on 24, 8 on 26). */
export const bundledUndiciMajor = Number(process.versions.undici!.split('.')[0]);
