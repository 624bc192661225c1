// The command registry (oclif's "explicit" strategy). Command modules hold only flags and printing;
// each imports its action lazily, so loading this registry stays cheap.
import AppAdd from './commands/app/add.ts'
import AppList from './commands/app/list.ts'
import AppRemove from './commands/app/remove.ts'
import AppShow from './commands/app/show.ts'
import Apply from './commands/apply.ts'
import Complete from './commands/complete.ts'
import Completion from './commands/completion.ts'
import Create from './commands/create.ts'
import Delete from './commands/delete.ts'
import Describe from './commands/describe.ts'
import Edit from './commands/edit.ts'
import Get from './commands/get.ts'
import Logs from './commands/logs.ts'
import Scale from './commands/scale.ts'
import Status from './commands/status.ts'
import Submit from './commands/submit.ts'
import Version from './commands/version.ts'

export const COMMANDS = {
  'app:add': AppAdd,
  'app:list': AppList,
  'app:remove': AppRemove,
  'app:show': AppShow,
  apply: Apply,
  completion: Completion,
  __complete: Complete,
  create: Create,
  delete: Delete,
  describe: Describe,
  edit: Edit,
  get: Get,
  logs: Logs,
  scale: Scale,
  status: Status,
  submit: Submit,
  version: Version,
}

export {default as KdHelp} from './help.ts'
