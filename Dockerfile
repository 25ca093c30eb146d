# syntax=docker/dockerfile:1
# The portal image: build with the SDK, run on the ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Datakeen.Portal/Datakeen.Portal.csproj src/Datakeen.Portal/
RUN dotnet restore src/Datakeen.Portal/Datakeen.Portal.csproj
COPY src/Datakeen.Portal/ src/Datakeen.Portal/
RUN dotnet publish src/Datakeen.Portal/Datakeen.Portal.csproj -c Release -o /app --no-restore /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
# The image's built-in unprivileged user.
USER $APP_UID
ENTRYPOINT ["dotnet", "Datakeen.Portal.dll"]
