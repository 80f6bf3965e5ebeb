#include "CGit2Shim.h"
#include <git2.h>

int komply_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

int komply_git_owner_validation(void) {
    int enabled = -1;
    if (git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, &enabled) != 0) return -1;
    return enabled;
}

int komply_git_set_user_agent(const char *agent) {
    return git_libgit2_opts(GIT_OPT_SET_USER_AGENT, agent);
}
