#ifndef KOMPLY_CGIT2_SHIM_H
#define KOMPLY_CGIT2_SHIM_H

/// What Swift cannot call in libgit2 directly: `git_libgit2_opts` is variadic.

/// Turns libgit2's repository owner check (git's safe.directory) on (1) or off (0); 0 on success.
int komply_git_set_owner_validation(int enabled);

/// Whether the owner check is on (1), off (0), or -1 when libgit2 cannot say.
int komply_git_owner_validation(void);

/// Sets the User-Agent libgit2 sends over HTTP; 0 on success.
int komply_git_set_user_agent(const char *agent);

#endif
