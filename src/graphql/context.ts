import { RequestWithActor } from '../auth/decorators';
import { LoaderRegistry } from './loaders';

export interface GqlContext {
  req: RequestWithActor;
  loaders: LoaderRegistry;
}
