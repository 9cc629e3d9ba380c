#include "easemu/server/activesync/endpoint.hpp"

#include "easemu/common/time.hpp"
#include "easemu/server/access_service.hpp"
#include "easemu/server/activesync/journal.hpp"
#include "easemu/server/activesync/stages.hpp"
#include "easemu/server/provisioning_service.hpp"

namespace easemu::server {

std::unique_ptr<eas_pipeline> make_eas_pipeline(const eas_parts& parts, eas_settings settings,
                                                std::shared_ptr<spdlog::logger> log) {
  const auto& services = parts.commands;
  pipeline_stages stages;
  stages.device_list = device_list_stage(services.store, log);
  stages.access = [&access = services.access](eas_context& ctx) { return access.check(ctx, common::now_ms()); };
  stages.faults = fault_stage(parts.faults, {settings.server_build, settings.realm, std::move(settings.public_url)});
  stages.delay = [&timer = parts.fault_timer](std::chrono::milliseconds delay, std::function<void()> fn) {
    timer.after(delay, std::move(fn));
  };
  stages.gate = [&provisioning = services.provisioning](const eas_context& ctx) { return provisioning.check(ctx); };
  stages.journal = journal_recorder(services.store, parts.journal, parts.metrics);
  command_registry commands;
  commands.add(all_commands(services));
  return std::make_unique<eas_pipeline>(pipeline_options{std::move(settings.versions), std::move(settings.server_build)},
                                        std::move(stages), std::move(commands), std::move(log));
}

}  // namespace easemu::server
