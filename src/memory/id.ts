/**
 * `id(obj)`: a small stable number per object.
 *
 * Mirrors CPython's builtin `id()`, which returns the object's address. JavaScript
 * has no addresses, so ids are 1, 2, 3… in order of first request, kept in a
 * WeakMap (an id never keeps its object alive). Unlike CPython, primitives have no
 * identity and are refused with a TypeError.
 */
import { typeName, type Realm } from "./realm.js";

export type IdFunction = (obj: object) => number;

export function createId(realm: Realm): IdFunction {
  const ids = new WeakMap<object, number>();
  let next = 1;
  return function id(obj: object): number {
    if ((typeof obj !== "object" && typeof obj !== "function") || obj === null) {
      throw new realm.TypeError(`id() argument must be an object, not '${typeName(obj)}'`);
    }
    let n = ids.get(obj);
    if (n === undefined) {
      n = next++;
      ids.set(obj, n);
    }
    return n;
  };
}
