// alias_commands.cpp - `hermod alias add|list|del`: forwarding addresses and catch-alls
// ("@example.org"). Thin CLI wrappers; the checks live in admin_ops.cpp.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "admin/admin_cli.hpp"
#include "admin/admin_ops.hpp"
#include "admin/commands.hpp"
#include "common/address.hpp"

namespace hermod::admin {

void register_alias_commands(CLI::App& app, const config::GlobalOptions& options) {
    auto* cmd = app.add_subcommand("alias", "manage aliases (forwarding addresses)");
    cmd->require_subcommand(1);
    cmd->fallthrough();

    struct Args {
        std::string source;
        std::string target;
    };

    auto add_args = std::make_shared<Args>();
    auto* add = cmd->add_subcommand("add", "deliver mail for SOURCE to TARGET")->fallthrough();
    add->add_option("SOURCE", add_args->source,
                    "local address, or @domain for a catch-all; its domain must be local")
        ->required();
    add->add_option("TARGET", add_args->target, "any address, local or remote")->required();
    add->callback([&options, add_args] {
        auto store = open_admin_store(options);
        auto alias = add_alias(*store, add_args->source, add_args->target);
        std::printf("added alias %s -> %s\n", alias.source.c_str(), alias.target.c_str());
    });

    auto list_source = std::make_shared<std::string>();
    auto* list =
        cmd->add_subcommand("list", "list aliases, one \"SOURCE TARGET\" per line")->fallthrough();
    list->add_option("SOURCE", *list_source, "only the targets of this source");
    list->callback([&options, list_source] {
        auto store = open_admin_store(options);
        for (const auto& a : list_aliases(*store, *list_source))
            std::printf("%s %s\n", a.source.c_str(), a.target.c_str());
    });

    auto del_args = std::make_shared<Args>();
    auto* del =
        cmd->add_subcommand("del", "delete one target of SOURCE, or all of them")->fallthrough();
    del->add_option("SOURCE", del_args->source, "alias source")->required();
    del->add_option("TARGET", del_args->target, "the target to remove (default: every target)");
    del->callback([&options, del_args] {
        auto store = open_admin_store(options);
        std::string source = normalize_alias_source(del_args->source);
        std::size_t n = delete_alias(*store, del_args->source, del_args->target);
        if (del_args->target.empty())
            std::printf("deleted %zu alias(es) of %s\n", n, source.c_str());
        else
            std::printf("deleted alias %s -> %s\n", source.c_str(),
                        parse_address(del_args->target)->str().c_str());
    });
}

}  // namespace hermod::admin
