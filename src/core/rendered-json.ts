import { ApiObject } from 'cdk8s';

/*
 * The JSON of an API object as it will be written, for checks that read what the app renders (hatch
 * edits included) rather than what the props asked for. `MlApp` plugs in its one-pass renderer, which
 * shares each object's JSON between the checks and the writer within one synthesis; elsewhere this is
 * cdk8s's own `toJson()`. Readers must not modify the result.
 */

let renderer: (o: ApiObject) => any = (o) => o.toJson();

/** `o`'s JSON as it will be written. */
export function renderedJson(o: ApiObject): any {
  return renderer(o);
}

/** Sets how {@link renderedJson} renders (called once by the app layer when it loads). */
export function useRenderer(render: (o: ApiObject) => any): void {
  renderer = render;
}
